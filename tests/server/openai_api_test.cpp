// The OpenAI-compatible model endpoints against a real server with the real stories260K model.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "llm/chat_template.h"
#include "llm/generator.h"
#include "support/fixtures.h"
#include "support/http_client.h"
#include "support/json_reply.h"
#include "support/test_server.h"

namespace tektra::test {
namespace {

using nlohmann::json;

TEST(OpenAiWithoutModel, SaysNoModelIsLoaded) {
  TestServer server([](Config& c) { c.llm.model = "none"; });
  const json models = parse_body(http_request(server.port(), "GET", "/v1/models"));
  EXPECT_EQ(models["object"], "list");
  EXPECT_TRUE(models["data"].empty());
  const auto reply = http_request(server.port(), "POST", "/v1/completions", R"({"prompt":"hi"})");
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(error_code(reply), "engine_unavailable");
}

class OpenAi : public ::testing::Test {
 protected:
  void SetUp() override {
    TEKTRA_REQUIRE_FIXTURE("stories260K.gguf");
    server_ = std::make_unique<TestServer>(with_stories260k(1, 256));
  }

  HttpReply post(const json& body) {
    return http_request(server_->port(), "POST", "/v1/completions", body.dump());
  }

  // What `tektra generate` writes for the same prompt and settings.
  std::string generated(const std::string& prompt, const llm::GenerateOptions& options) {
    auto* engine = server_->runtime().llm();
    llm::Context ctx(std::shared_ptr<const llm::Model>(&engine->model(), [](auto*) {}),
                     {.n_ctx = 256, .threads = 1});
    const auto tokens = engine->tokenizer().encode(prompt, true, false);
    return llm::generate(ctx, engine->tokenizer(), tokens, options).text;
  }

  std::unique_ptr<TestServer> server_;
};

TEST_F(OpenAi, ListsTheModel) {
  const json models = parse_body(http_request(server_->port(), "GET", "/v1/models"));
  ASSERT_EQ(models["data"].size(), 1u);
  EXPECT_EQ(models["data"][0]["id"], "stories260K");
  EXPECT_EQ(models["data"][0]["object"], "model");
}

TEST_F(OpenAi, CompletionMatchesGenerateForTheSameSeed) {
  llm::GenerateOptions o;
  o.max_tokens = 40;
  o.sampling.temperature = 0.9f;
  o.sampling.top_p = 0.9f;
  o.sampling.seed = 1234;
  const std::string expected = generated("Once upon a time", o);

  const json body = {{"prompt", "Once upon a time"},
                     {"max_tokens", 40},
                     {"temperature", 0.9},
                     {"top_p", 0.9},
                     {"seed", 1234}};
  const auto reply = post(body);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json out = parse_body(reply);
  EXPECT_EQ(out["object"], "text_completion");
  EXPECT_EQ(out["model"], "stories260K");
  EXPECT_EQ(out["choices"][0]["text"], expected);
  EXPECT_EQ(out["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(out["usage"]["prompt_tokens"], 5);
  EXPECT_EQ(out["usage"]["completion_tokens"], 40);

  // Streamed: the deltas add up to the same text, then the finish, the usage and [DONE].
  json streamed = body;
  streamed["stream"] = true;
  streamed["stream_options"] = {{"include_usage", true}};
  const auto sse = post(streamed);
  ASSERT_EQ(sse.status, 200);
  EXPECT_EQ(sse.headers.at("content-type"), "text/event-stream");
  const auto all = sse_events(sse.body);
  ASSERT_GE(all.size(), 4u) << sse.body;
  std::string text;
  for (size_t i = 0; i + 3 < all.size(); ++i) {
    EXPECT_TRUE(all[i]["choices"][0]["finish_reason"].is_null());
    text += all[i]["choices"][0]["text"].get<std::string>();
  }
  EXPECT_EQ(text, expected);
  EXPECT_EQ(all[all.size() - 3]["choices"][0]["finish_reason"], "length");
  EXPECT_TRUE(all[all.size() - 2]["choices"].empty());
  EXPECT_EQ(all[all.size() - 2]["usage"]["completion_tokens"], 40);
  EXPECT_EQ(all.back(), "[DONE]");
}

TEST_F(OpenAi, StopStringsEndTheCompletion) {
  const json out = parse_body(post({{"prompt", "Once upon a time"},
                                    {"max_tokens", 60},
                                    {"temperature", 0},
                                    {"stop", {"Lily"}}}));
  EXPECT_EQ(out["choices"][0]["text"], ", there was a little girl named ");
  EXPECT_EQ(out["choices"][0]["finish_reason"], "stop");
}

// The number after `series` in the Prometheus text, or 0.
double metric(uint16_t port, const std::string& series) {
  const std::string text = http_request(port, "GET", "/metrics").body;
  const size_t at = text.find(series + " ");
  return at == std::string::npos ? 0 : std::stod(text.substr(at + series.size() + 1));
}

TEST_F(OpenAi, ADisconnectedStreamIsCancelledAndFreesTheSlot) {
  // The registry is the process's: count from here.
  const uint16_t port = server_->port();
  const std::string cancelled = "tektra_llm_generations_total{finish=\"cancelled\"}",
                    length = "tektra_llm_generations_total{finish=\"length\"}",
                    generated = "tektra_llm_tokens_total{kind=\"generated\"}";
  const double cancelled0 = metric(port, cancelled), length0 = metric(port, length),
               generated0 = metric(port, generated);
  // Long enough (with context shifts) that only a cancellation ends it early.
  const json body = {
      {"prompt", "Once upon a time"}, {"max_tokens", 100000}, {"temperature", 0}, {"stream", true}};
  http_stream(server_->port(), "/v1/completions", body.dump(),
              [](const std::string& so_far) { return sse_events(so_far).size() < 3; });
  const auto reply = post({{"prompt", "One day"}, {"max_tokens", 5}, {"temperature", 0}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(metric(port, cancelled) - cancelled0, 1);
  EXPECT_EQ(metric(port, length) - length0, 1);
  EXPECT_LT(metric(port, generated) - generated0, 1000);

  // A client waiting for a whole (non-streamed) reply that goes away cancels it too.
  json whole = body;
  whole.erase("stream");
  http_stream(port, "/v1/completions", whole.dump(), [](const std::string&) { return false; });
  for (int i = 0; i < 200 && metric(port, cancelled) - cancelled0 < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(metric(port, cancelled) - cancelled0, 2);
  EXPECT_LT(metric(port, generated) - generated0, 2000);
}

TEST_F(OpenAi, ChatMatchesGenerateOnTheTemplatePrompt) {
  // stories260K ships no chat template: ChatML renders the conversation.
  auto* engine = server_->runtime().llm();
  llm::ChatTemplateInputs inputs;
  inputs.messages = {{{"role", "system"}, {"content", "Tell stories."}},
                     {{"role", "user"}, {"content", "A story about a cat"}}};
  const auto prompt = engine->chat_prompt(inputs);
  EXPECT_NE(engine->tokenizer().decode(prompt).find("<|im_start|>system\nTell stories.<|im_end|>"),
            std::string::npos);
  llm::GenerateOptions o;
  o.max_tokens = 30;
  o.sampling.temperature = 0.7f;
  o.sampling.seed = 99;
  llm::Context ctx(std::shared_ptr<const llm::Model>(&engine->model(), [](auto*) {}),
                   {.n_ctx = 256, .threads = 1});
  const std::string expected = llm::generate(ctx, engine->tokenizer(), prompt, o).text;

  json body = {
      {"messages", inputs.messages}, {"max_tokens", 30}, {"temperature", 0.7}, {"seed", 99}};
  const auto reply = http_request(server_->port(), "POST", "/v1/chat/completions", body.dump());
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json out = parse_body(reply);
  EXPECT_EQ(out["object"], "chat.completion");
  EXPECT_EQ(out["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(out["choices"][0]["message"]["content"], expected);
  EXPECT_EQ(out["usage"]["prompt_tokens"], static_cast<int>(prompt.size()));

  body["stream"] = true;
  const auto sse = http_request(server_->port(), "POST", "/v1/chat/completions", body.dump());
  const auto all = sse_events(sse.body);
  ASSERT_GE(all.size(), 3u);
  EXPECT_EQ(all.front()["object"], "chat.completion.chunk");
  EXPECT_EQ(all.front()["choices"][0]["delta"]["role"], "assistant");
  std::string text;
  for (size_t i = 1; i + 2 < all.size(); ++i)
    text += all[i]["choices"][0]["delta"]["content"].get<std::string>();
  EXPECT_EQ(text, expected);
  EXPECT_EQ(all[all.size() - 2]["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(all.back(), "[DONE]");
}

TEST_F(OpenAi, ChatRepliesFillAtMostTheContext) {
  const json body = {{"messages", {{{"role", "user"}, {"content", "Once upon a time"}}}},
                     {"temperature", 0}};
  const json out =
      parse_body(http_request(server_->port(), "POST", "/v1/chat/completions", body.dump()));
  const int total = out["usage"]["total_tokens"];
  EXPECT_LE(total, 256);
  if (out["choices"][0]["finish_reason"] == "length") {
    EXPECT_EQ(total, 256);
  }
}

// stories260K never writes a tool call, so this checks the plumbing: tools are accepted, the reply
// goes through the Hermes reader (ChatML's family) and streamed content equals the whole reply.
// The readers themselves are tested on captured outputs in tests/llm/tool_calls_test.cpp.
TEST_F(OpenAi, ChatWithToolsOfferedStreamsTheSameContent) {
  // stories260K has no template, so the tools are described in the prompt (tool_prompt.h): more
  // than this fixture's 256 positions hold, which is refused before the response starts...
  json body = {
      {"messages", {{{"role", "user"}, {"content", "Set a timer"}}}},
      {"tools",
       {{{"type", "function"},
         {"function",
          {{"name", "set_timer"},
           {"description", "Starts a timer"},
           {"parameters",
            {{"type", "object"}, {"properties", {{"seconds", {{"type", "integer"}}}}}}}}}}}},
      {"max_tokens", 16},
      {"temperature", 0}};
  const auto refused = http_request(server_->port(), "POST", "/v1/chat/completions", body.dump());
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(error_code(refused), "context_full");

  // ... and fit the model's whole context.
  TestServer wide(with_stories260k(1, 512));
  const json out =
      parse_body(http_request(wide.port(), "POST", "/v1/chat/completions", body.dump()));
  ASSERT_TRUE(out.contains("choices")) << out.dump();
  const json& message = out["choices"][0]["message"];
  EXPECT_FALSE(message.contains("tool_calls"));
  EXPECT_EQ(out["choices"][0]["finish_reason"], "length");
  json plain = body;
  plain.erase("tools");
  const json without =
      parse_body(http_request(wide.port(), "POST", "/v1/chat/completions", plain.dump()));
  EXPECT_GT(out["usage"]["prompt_tokens"].get<int>(),
            without["usage"]["prompt_tokens"].get<int>() + 100);
  body["stream"] = true;
  const auto all =
      sse_events(http_request(wide.port(), "POST", "/v1/chat/completions", body.dump()).body);
  std::string text;
  for (const auto& event : all)
    if (event.is_object() && event["choices"][0]["delta"].contains("content"))
      text += event["choices"][0]["delta"]["content"].get<std::string>();
  EXPECT_EQ(text, message["content"].get<std::string>());
}

TEST_F(OpenAi, BadChatRequestsGetOpenAiErrors) {
  const auto expect_error = [&](const std::string& body, const std::string& code) {
    const auto reply = http_request(server_->port(), "POST", "/v1/chat/completions", body);
    EXPECT_EQ(reply.status, 400) << body;
    EXPECT_EQ(error_code(reply), code) << body;
  };
  expect_error(R"({"max_tokens": 5})", "missing_field");
  expect_error(R"({"messages": []})", "missing_field");
  expect_error(R"({"messages": [{"role": "wizard", "content": "hi"}]})", "invalid_messages");
  expect_error(R"({"messages": ["hi"]})", "invalid_messages");
  expect_error(R"({"messages": [{"role": "user", "content": "hi"}], "tools": 3})", "invalid_value");
  expect_error(R"({"messages": [{"role": "user", "content": "hi"}], "logprobs": true})",
               "unsupported_value");
}

TEST_F(OpenAi, BadRequestsGetOpenAiErrors) {
  const auto expect_error = [&](const std::string& body, const std::string& code) {
    const auto reply = http_request(server_->port(), "POST", "/v1/completions", body);
    EXPECT_EQ(reply.status, 400) << body;
    EXPECT_EQ(error_code(reply), code) << body;
  };
  expect_error("{not json", "invalid_json");
  expect_error(R"({"max_tokens": 5})", "missing_field");
  expect_error(R"({"prompt": "a", "max_tokens": "five"})", "invalid_value");
  expect_error(R"({"prompt": "a", "n": 2})", "invalid_value");
  expect_error(R"({"prompt": "a", "temperature": 9})", "invalid_value");
  expect_error(R"({"prompt": "a", "stop": [1, 2]})", "invalid_value");
  expect_error(R"({"prompt": [1, 99999]})", "invalid_value");
  expect_error(R"({"prompt": []})", "empty_prompt");
  expect_error(R"({"prompt": "a", "echo": true})", "unsupported_value");
  expect_error(R"({"prompt": ")" + std::string(2000, 'a') + R"("})", "context_full");
  const auto get = http_request(server_->port(), "GET", "/v1/completions");
  EXPECT_EQ(get.status, 405);
}

}  // namespace
}  // namespace tektra::test
