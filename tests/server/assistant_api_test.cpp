// The assistant's REST API with a real language model (stories260K) behind it: typed chat answered
// by the model (whole and streamed), intents still first, the personality endpoint, and the errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/fixtures.h"
#include "support/http_client.h"
#include "support/json_reply.h"
#include "support/test_server.h"

namespace tektra::test {
namespace {

using nlohmann::json;

class AssistantApi : public ::testing::Test {
 protected:
  void SetUp() override {
    TEKTRA_REQUIRE_FIXTURE("stories260K.gguf");
    server_ = std::make_unique<TestServer>(
        with_stories260k(2, 512, [](Config& c) { c.agent.max_reply_tokens = 48; }));
  }

  HttpReply chat(const json& body) {
    return http_request(server_->port(), "POST", "/api/v1/chat", body.dump());
  }

  std::unique_ptr<TestServer> server_;
};

TEST_F(AssistantApi, WhatNoIntentMatchesIsAnsweredByTheModel) {
  const auto reply = chat({{"message", "Once upon a time there was a dragon"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json out = parse_body(reply);
  EXPECT_EQ(out["from_model"], true);
  EXPECT_FALSE(out["reply"].get<std::string>().empty());
  EXPECT_EQ(out["cancelled"], false);
  const std::string id = out["conversation_id"];
  const json conversation =
      parse_body(http_request(server_->port(), "GET", "/api/v1/conversations/" + id));
  ASSERT_EQ(conversation["messages"].size(), 2u);
  const json& answer = conversation["messages"][1];
  EXPECT_EQ(answer["role"], "assistant");
  EXPECT_EQ(answer["text"], out["reply"]);
  EXPECT_EQ(answer["meta"]["model"], "stories260K");
  EXPECT_GT(answer["meta"]["completion_tokens"].get<int>(), 0);
}

TEST_F(AssistantApi, AnIntentIsStillAnsweredWithoutTheModel) {
  const json out = parse_body(chat({{"message", "what is 12 times 7"}}));
  EXPECT_EQ(out["intent"], "Calculate");
  EXPECT_EQ(out["from_model"], false);
  EXPECT_EQ(out["reply"], "12 times 7 is 84.");
}

TEST_F(AssistantApi, StreamedChatSendsTheWordsThenTheReply) {
  const auto reply = chat({{"message", "Tell me about a little bird"}, {"stream", true}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.headers.at("content-type"), "text/event-stream");
  const auto events = sse_events(reply.body);
  ASSERT_GE(events.size(), 3u) << reply.body;
  std::string words;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    EXPECT_EQ(events[i]["type"], "delta");
    words += events[i]["text"].get<std::string>();
  }
  const json& done = events.back();
  EXPECT_EQ(done["type"], "done");
  EXPECT_EQ(done["from_model"], true);
  EXPECT_EQ(words, done["reply"]);
}

TEST_F(AssistantApi, BadChatRequestsAreRefusedBeforeAnythingRuns) {
  auto bad = chat({{"message", "hello there"}, {"stream", "yes"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_code(bad), "invalid_value");
  bad = chat({{"message", "tell me a story"}, {"conversation_id", "nope"}});
  EXPECT_EQ(bad.status, 404);
  EXPECT_EQ(error_code(bad), "not_found");
  bad = chat({{"message", "   "}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_code(bad), "empty_text");
}

TEST_F(AssistantApi, ThePersonalityCanBeReadChangedAndReset) {
  const uint16_t port = server_->port();
  json p = parse_body(http_request(port, "GET", "/api/v1/personality"));
  EXPECT_EQ(p, (json{{"name", "Tektra"},
                     {"style", "warm and direct"},
                     {"verbosity", "brief"},
                     {"persona", ""}}));
  p = parse_body(http_request(port, "PATCH", "/api/v1/personality",
                              R"({"name": "Ada", "verbosity": "detailed"})"));
  EXPECT_EQ(p["name"], "Ada");
  EXPECT_EQ(p["verbosity"], "detailed");
  EXPECT_EQ(p["style"], "warm and direct");
  EXPECT_EQ(parse_body(http_request(port, "GET", "/api/v1/personality"))["name"], "Ada");
  // The intents use the new name too.
  EXPECT_EQ(parse_body(chat({{"message", "hello"}}))["reply"], "Hello! I'm Ada. How can I help?");

  auto bad = http_request(port, "PUT", "/api/v1/personality", R"({"verbosity": "epic"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_code(bad), "invalid_value");
  bad = http_request(port, "PUT", "/api/v1/personality", R"({"persona": )");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_code(bad), "invalid_json");
  bad = http_request(port, "PUT", "/api/v1/personality",
                     json{{"persona", std::string(5000, 'p')}}.dump());
  EXPECT_EQ(bad.status, 400);
  bad = http_request(port, "POST", "/api/v1/personality", "{}");
  EXPECT_EQ(bad.status, 405);
  EXPECT_EQ(parse_body(http_request(port, "GET", "/api/v1/personality"))["verbosity"], "detailed")
      << "a refused change changes nothing";

  p = parse_body(http_request(port, "DELETE", "/api/v1/personality"));
  EXPECT_EQ(p["name"], "Tektra");
  EXPECT_EQ(p["verbosity"], "brief");
}

}  // namespace
}  // namespace tektra::test
