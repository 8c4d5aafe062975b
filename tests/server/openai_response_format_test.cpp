// response_format on the OpenAI-compatible endpoints, against a real server with stories260K:
// json_object constrains the reply to JSON, whole or streamed; what is not supported says so.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "llm/json_acceptor.h"
#include "support/fixtures.h"
#include "support/http_client.h"
#include "support/json_reply.h"
#include "support/test_server.h"

namespace tektra::test {
namespace {

using nlohmann::json;

bool json_prefix(const std::string& text) {
  llm::JsonAcceptor a;
  return a.push(text);
}

class OpenAiResponseFormat : public ::testing::Test {
 protected:
  void SetUp() override {
    TEKTRA_REQUIRE_FIXTURE("stories260K.gguf");
    server_ = std::make_unique<TestServer>(with_stories260k(2, 512));
  }

  HttpReply post(const std::string& path, const json& body) {
    return http_request(server_->port(), "POST", path, body.dump());
  }

  // A chat request stories260K finishes as a JSON object: sampled hot and flat (the model has
  // never seen JSON and at its usual settings rarely closes a string), with a seed that does.
  static json chat(uint64_t seed, int max_tokens) {
    return {{"messages", {{{"role", "user"}, {"content", "Tell me about Lily as JSON."}}}},
            {"response_format", {{"type", "json_object"}}},
            {"max_tokens", max_tokens},
            {"temperature", 2},
            {"top_k", 0},
            {"top_p", 1},
            {"min_p", 0},
            {"seed", seed}};
  }

  // The first seed from 1 whose whole chat reply is a complete object, and that reply.
  std::pair<uint64_t, json> finishing_chat(int max_tokens) {
    for (uint64_t seed = 1; seed <= 60; ++seed) {
      const auto reply = post("/v1/chat/completions", chat(seed, max_tokens));
      EXPECT_EQ(reply.status, 200) << reply.body;
      const json out = parse_body(reply);
      const std::string content = out["choices"][0]["message"]["content"];
      EXPECT_TRUE(json_prefix(content)) << "seed " << seed << ": " << content;
      if (out["choices"][0]["finish_reason"] == "stop") return {seed, out};
      EXPECT_EQ(out["choices"][0]["finish_reason"], "length");
    }
    ADD_FAILURE() << "no seed finished its object";
    return {0, {}};
  }

  std::unique_ptr<TestServer> server_;
};

TEST_F(OpenAiResponseFormat, ChatJsonObjectRepliesParseWholeAndStreamed) {
  const auto [seed, whole] = finishing_chat(300);
  ASSERT_NE(seed, 0u);
  const std::string content = whole["choices"][0]["message"]["content"];
  const json parsed = json::parse(content, nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << content;

  // Streamed, the same seed gives the same object in pieces, each a step of a valid document.
  json body = chat(seed, 300);
  body["stream"] = true;
  const auto sse = post("/v1/chat/completions", body);
  ASSERT_EQ(sse.status, 200);
  const auto all = sse_events(sse.body);
  ASSERT_GE(all.size(), 3u) << sse.body;
  std::string streamed;
  for (const auto& event : all) {
    if (event == "[DONE]") break;
    const json& delta = event["choices"][0]["delta"];
    if (delta.contains("content")) streamed += delta["content"].get<std::string>();
    EXPECT_TRUE(json_prefix(streamed)) << streamed;
  }
  EXPECT_EQ(streamed, content);
  EXPECT_EQ(all[all.size() - 2]["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(all.back(), "[DONE]");

  // The same request without response_format is the model's usual story, not JSON.
  json plain = chat(seed, 300);
  plain.erase("response_format");
  const std::string story =
      parse_body(post("/v1/chat/completions", plain))["choices"][0]["message"]["content"];
  EXPECT_FALSE(json_prefix(story)) << story;
  plain["response_format"] = {{"type", "text"}};
  EXPECT_EQ(parse_body(post("/v1/chat/completions", plain))["choices"][0]["message"]["content"],
            story);
}

TEST_F(OpenAiResponseFormat, ChatRepliesAtUsualSettingsAreJsonAsFarAsTheyGo) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const json out = parse_body(
        post("/v1/chat/completions", {{"messages", {{{"role", "user"}, {"content", "Hi"}}}},
                                      {"response_format", {{"type", "json_object"}}},
                                      {"max_tokens", 40},
                                      {"seed", seed}}));
    const std::string content = out["choices"][0]["message"]["content"];
    EXPECT_TRUE(json_prefix(content)) << content;
    EXPECT_FALSE(content.empty());
  }
}

TEST_F(OpenAiResponseFormat, CompletionsTakeJsonObjectToo) {
  json body = {{"prompt", "Once upon a time"},
               {"response_format", {{"type", "json_object"}}},
               {"max_tokens", 30},
               {"seed", 9}};
  const json whole = parse_body(post("/v1/completions", body));
  const std::string text = whole["choices"][0]["text"];
  EXPECT_TRUE(json_prefix(text)) << text;
  EXPECT_FALSE(text.empty());
  body["stream"] = true;
  std::string streamed;
  for (const auto& event : sse_events(post("/v1/completions", body).body))
    if (event != "[DONE]") streamed += event["choices"][0]["text"].get<std::string>();
  EXPECT_EQ(streamed, text);
}

TEST_F(OpenAiResponseFormat, UnsupportedAndMalformedFormatsGetOpenAiErrors) {
  const auto expect_error = [&](const std::string& path, const json& format,
                                const std::string& code) {
    json body = {{"messages", {{{"role", "user"}, {"content", "hi"}}}}, {"prompt", "hi"}};
    body["response_format"] = format;
    const auto reply = post(path, body);
    EXPECT_EQ(reply.status, 400) << path << " " << format.dump();
    EXPECT_EQ(error_code(reply), code) << path << " " << format.dump();
    return parse_body(reply)["error"]["message"].get<std::string>();
  };
  for (const std::string path : {"/v1/chat/completions", "/v1/completions"}) {
    const std::string message =
        expect_error(path,
                     {{"type", "json_schema"},
                      {"json_schema", {{"name", "x"}, {"schema", {{"type", "object"}}}}}},
                     "unsupported_value");
    EXPECT_NE(message.find("json_schema"), std::string::npos) << message;
    expect_error(path, {{"type", "yaml"}}, "invalid_value");
    expect_error(path, "json_object", "invalid_value");
    expect_error(path, json::object(), "invalid_value");
    expect_error(path, {{"type", 1}}, "invalid_value");
    expect_error(path, json::array(), "invalid_value");
  }
}

}  // namespace
}  // namespace tektra::test
