// LocalEngine as a ChatEngine on the real stories260K model (no template of its own, so ChatML):
// the streamed content is the reply, equal to generate() on the same prompt and seed; a consumer
// that returns false or a cancel stops it; tools reach a template with no tool section through the
// prompt.
#include "llm/local_engine.h"

#include <gtest/gtest.h>

#include <thread>

#include "llm/tool_prompt.h"
#include "support/fixtures.h"
#include "support/thrown.h"

namespace tektra::llm {
namespace {

using nlohmann::ordered_json;

class LocalEngineChat : public ::testing::Test {
 protected:
  void SetUp() override {
    TEKTRA_REQUIRE_FIXTURE("stories260K.gguf");
    engine_ = std::make_unique<LocalEngine>(LocalEngineOptions{
        .model = test::fixture("stories260K.gguf"), .slots = 2, .n_ctx = 512, .threads = 2});
  }

  static ChatRequest request(const std::string& text, uint64_t seed) {
    ChatRequest r;
    r.messages = ordered_json::array({{{"role", "user"}, {"content", text}}});
    r.options.max_tokens = 40;
    r.options.sampling.seed = seed;
    return r;
  }

  std::unique_ptr<LocalEngine> engine_;
};

TEST_F(LocalEngineChat, StreamsTheReplyItReturnsAndMatchesGenerate) {
  const ChatRequest r = request("Tell me a story about a cat.", 7);
  std::string streamed;
  int pieces = 0;
  std::thread::id caller = std::this_thread::get_id(), consumer;
  ChatReply reply = engine_->chat(r, [&](std::string_view text) {
    streamed += text;
    ++pieces;
    consumer = std::this_thread::get_id();
    return true;
  });
  EXPECT_EQ(reply.finish, FinishReason::Length);
  EXPECT_EQ(reply.completion_tokens, 40);
  // How many pieces depends on how far the model runs ahead of the consumer: at least one.
  EXPECT_GE(pieces, 1);
  EXPECT_EQ(consumer, caller) << "content is delivered on the caller's thread";
  EXPECT_EQ(streamed, reply.content);
  EXPECT_GE(reply.total_seconds, reply.first_token_seconds);
  EXPECT_EQ(reply.prompt_tokens, engine_->prompt_tokens(r));

  ChatTemplateInputs inputs;
  inputs.messages = r.messages;
  const auto prompt = engine_->chat_prompt(inputs);
  Context ctx(std::shared_ptr<const Model>(&engine_->model(), [](const Model*) {}),
              {.n_ctx = 512, .threads = 2});
  const Generation alone = generate(ctx, engine_->tokenizer(), prompt, r.options);
  // The ChatML reply is read for reasoning blocks, which trims it.
  EXPECT_EQ(reply.content, std::string(alone.text.substr(alone.text.find_first_not_of(" \n"))));
}

TEST_F(LocalEngineChat, AConsumerThatSaysStopEndsTheGenerationAsCancelled) {
  ChatRequest r = request("Once upon a time", 3);
  r.options.max_tokens = 0;  // the rest of the context: long enough that stopping shows
  const ChatReply whole = engine_->chat(r, {});
  int pieces = 0;
  ChatReply reply = engine_->chat(r, [&](std::string_view) { return ++pieces < 3; });
  EXPECT_EQ(reply.finish, FinishReason::Cancelled);
  EXPECT_EQ(pieces, 3) << "nothing more is delivered after false";
  // The model runs ahead of a consumer that the machine does not schedule at once (a tiny model
  // writes thousands of tokens a second), so only "short of the whole reply" is certain.
  EXPECT_LT(reply.completion_tokens, whole.completion_tokens);
}

TEST_F(LocalEngineChat, ACancelledTokenStopsItAndTheSlotIsFree) {
  ChatRequest r = request("Once upon a time", 4);
  r.options.max_tokens = 400;
  CancellationToken cancel;
  std::string seen;
  ChatReply reply = engine_->chat(
      r,
      [&](std::string_view text) {
        seen += text;
        if (seen.size() > 10) cancel.cancel();
        return true;
      },
      cancel);
  EXPECT_EQ(reply.finish, FinishReason::Cancelled);
  EXPECT_EQ(engine_->scheduler().stats().active, 0);
  EXPECT_EQ(engine_->chat(request("Hi", 1)).finish, FinishReason::Length);
}

TEST_F(LocalEngineChat, AConversationTooLongForTheContextIsRefused) {
  ChatRequest r = request(std::string(6000, 'a'), 1);
  auto error = test::thrown_error([&] { engine_->chat(r); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "context_full");
}

TEST_F(LocalEngineChat, ToolsReachATemplateWithoutAToolSectionThroughThePrompt) {
  ASSERT_FALSE(engine_->chat_template()->caps().tools);  // ChatML
  EXPECT_EQ(engine_->tool_call_format(), ToolCallFormat::Hermes);
  ChatRequest r = request("What time is it?", 1);
  r.tools = ordered_json::array(
      {{{"type", "function"},
        {"function",
         {{"name", "get_time"},
          {"description", "The current time"},
          {"parameters", {{"type", "object"}, {"properties", ordered_json::object()}}}}}}});
  const auto with = engine_->prompt_tokens(r);
  const auto without = engine_->prompt_tokens(request("What time is it?", 1));
  EXPECT_GT(with, without + 20) << "the tool's schema is in the prompt";
}

TEST(ToolPrompt, DescribesToolsAndRewritesCallsAndResultsForTemplatesWithout) {
  ChatTemplateInputs in;
  in.messages =
      ordered_json::array({{{"role", "system"}, {"content", "Be kind."}},
                           {{"role", "user"}, {"content", "time and date?"}},
                           {{"role", "assistant"},
                            {"content", ""},
                            {"tool_calls",
                             {{{"id", "a"},
                               {"type", "function"},
                               {"function", {{"name", "get_time"}, {"arguments", "{}"}}}},
                              {{"id", "b"},
                               {"type", "function"},
                               {"function", {{"name", "get_date"}, {"arguments", "{\"x\":1}"}}}}}}},
                           {{"role", "tool"}, {"tool_call_id", "a"}, {"content", "15:10"}},
                           {{"role", "tool"}, {"tool_call_id", "b"}, {"content", "May 14"}}});
  in.tools = ordered_json::array({{{"type", "function"}, {"function", {{"name", "get_time"}}}}});

  ChatTemplateCaps with_tools;
  with_tools.tools = true;
  EXPECT_EQ(with_tools_in_prompt(in, with_tools).messages, in.messages) << "left alone";

  const ChatTemplateInputs out = with_tools_in_prompt(in, ChatTemplateCaps{});
  EXPECT_TRUE(out.tools.is_null());
  ASSERT_EQ(out.messages.size(), 4u);
  const std::string system = out.messages[0]["content"];
  EXPECT_TRUE(system.ends_with("</tool_response>.\n\nBe kind.")) << system;
  EXPECT_NE(system.find("<tools>\n{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}"),
            std::string::npos);
  EXPECT_EQ(out.messages[2]["content"],
            "<tool_call>\n{\"name\":\"get_time\",\"arguments\":{}}\n</tool_call>\n<tool_call>\n"
            "{\"name\":\"get_date\",\"arguments\":{\"x\":1}}\n</tool_call>");
  EXPECT_EQ(out.messages[3]["role"], "user");
  EXPECT_EQ(out.messages[3]["content"],
            "<tool_response>\n15:10\n</tool_response>\n<tool_response>\nMay 14\n</tool_response>");

  ChatTemplateInputs no_system = in;
  no_system.messages.erase(0);
  const auto added = with_tools_in_prompt(no_system, ChatTemplateCaps{});
  EXPECT_EQ(added.messages[0]["role"], "system");
  EXPECT_EQ(added.messages[1]["content"], "time and date?");
}

}  // namespace
}  // namespace tektra::llm
