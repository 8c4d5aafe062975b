// Conversations, facts and timers survive a restart, and acknowledged messages survive kill -9.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "app/child_process.h"
#include "support/http_client.h"
#include "support/temp_dir.h"
#include "support/test_server.h"

namespace tektra::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

json chat(uint16_t port, const std::string& message, const std::string& conversation_id = "") {
  json body = {{"message", message}};
  if (!conversation_id.empty()) body["conversation_id"] = conversation_id;
  HttpReply reply = http_request(port, "POST", "/api/v1/chat", body.dump());
  EXPECT_EQ(reply.status, 200) << message << ": " << reply.body;
  json out = json::parse(reply.body, nullptr, false);
  if (out.is_discarded() || !out.is_object()) return json::object();
  return out;
}

json get_json(uint16_t port, const std::string& target, int expected_status = 200) {
  HttpReply reply = http_request(port, "GET", target);
  EXPECT_EQ(reply.status, expected_status) << target << ": " << reply.body;
  json out = json::parse(reply.body, nullptr, false);
  return out.is_discarded() ? json::object() : out;
}

TEST(Persistence, ConversationsFactsAndTimersSurviveARestart) {
  TempDir data;
  std::string conversation_id;
  std::vector<std::pair<std::string, std::string>> said;  // (role, text) in order
  {
    TestServer server({}, data.path());
    auto turn = [&](const std::string& text) {
      json reply = chat(server.port(), text, conversation_id);
      EXPECT_TRUE(reply.contains("conversation_id")) << reply.dump();
      if (conversation_id.empty()) conversation_id = reply.value("conversation_id", "");
      EXPECT_EQ(reply["conversation_id"], conversation_id);
      said.emplace_back("user", text);
      said.emplace_back("assistant", reply.value("reply", ""));
      return reply;
    };
    json remembered = turn("remember that my favourite colour is blue");
    EXPECT_EQ(remembered["intent"], "RememberFact") << remembered.dump();
    turn("what is 12 times 7");
    turn("hello");
    json timer = turn("set a timer for 2 hours");
    EXPECT_EQ(timer["intent"], "SetTimer") << timer.dump();
    json listed = chat(server.port(), "list my timers");  // in a conversation of its own
    ASSERT_NE(listed.value("reply", "").find("one timer"), std::string::npos) << listed.dump();
  }  // the server and its runtime are gone

  TestServer server({}, data.path());
  json list = get_json(server.port(), "/api/v1/conversations");
  bool found = false;
  for (const auto& c : list["conversations"]) {
    if (c["id"] == conversation_id) {
      found = true;
      EXPECT_EQ(c["message_count"], static_cast<int64_t>(said.size()));
    }
  }
  EXPECT_TRUE(found) << list.dump();
  EXPECT_EQ(list["conversations"].size(), 2u) << list.dump();

  json conversation = get_json(server.port(), "/api/v1/conversations/" + conversation_id);
  ASSERT_EQ(conversation["messages"].size(), said.size()) << conversation.dump();
  for (size_t i = 0; i < said.size(); ++i) {
    EXPECT_EQ(conversation["messages"][i]["role"], said[i].first) << i;
    EXPECT_EQ(conversation["messages"][i]["text"], said[i].second) << i;
  }

  std::string colour = chat(server.port(), "what is my favourite colour").value("reply", "");
  EXPECT_NE(colour.find("blue"), std::string::npos) << colour;

  std::string timers = chat(server.port(), "list my timers").value("reply", "");
  EXPECT_NE(timers.find("one timer"), std::string::npos) << timers;
  EXPECT_NE(timers.find("two hour timer"), std::string::npos) << timers;

  // The restored conversation continues where it left off.
  json more = chat(server.port(), "thank you", conversation_id);
  EXPECT_EQ(more["conversation_id"], conversation_id);
  EXPECT_EQ(get_json(server.port(), "/api/v1/conversations/" + conversation_id)["messages"].size(),
            said.size() + 2);
}

// `tektra serve --port 0` on a data directory, with the port it reports.
class ServeProcess {
 public:
  ServeProcess(const std::filesystem::path& data_dir, const std::filesystem::path& home)
      : child_({TEKTRA_BINARY, "serve", "--data-dir", data_dir.string(), "--port", "0"},
               {{"HOME", home.string()}}, home / "serve.log") {
    auto line = child_.read_line_containing("listening on http://", 90s);
    if (!line) return;
    std::smatch m;
    if (std::regex_search(*line, m, std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)/"))) {
      port_ = static_cast<uint16_t>(std::stoi(m[1]));
    }
  }
  uint16_t port() const { return port_; }
  ChildProcess& child() { return child_; }

 private:
  ChildProcess child_;
  uint16_t port_ = 0;
};

TEST(Persistence, AcknowledgedMessagesSurviveKillDashNine) {
  TempDir home, data;
  std::string conversation_id;
  std::vector<std::pair<std::string, std::string>> acknowledged;
  {
    ServeProcess serve(data.path(), home.path());
    ASSERT_NE(serve.port(), 0) << "tektra serve did not report its port";
    for (int i = 1; i <= 8; ++i) {
      std::string text = "what is " + std::to_string(i) + " times 3";
      json body = {{"message", text}};
      if (!conversation_id.empty()) body["conversation_id"] = conversation_id;
      HttpReply reply = http_request(serve.port(), "POST", "/api/v1/chat", body.dump());
      ASSERT_EQ(reply.status, 200) << reply.body;
      json answer = json::parse(reply.body);
      conversation_id = answer["conversation_id"];
      acknowledged.emplace_back("user", text);
      acknowledged.emplace_back("assistant", answer["reply"]);
    }
    serve.child().kill(SIGKILL);
    int status = serve.child().wait();
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  }

  ServeProcess serve(data.path(), home.path());
  ASSERT_NE(serve.port(), 0) << "tektra serve did not restart on the same data directory";
  json conversation = get_json(serve.port(), "/api/v1/conversations/" + conversation_id);
  ASSERT_EQ(conversation["messages"].size(), acknowledged.size()) << conversation.dump();
  for (size_t i = 0; i < acknowledged.size(); ++i) {
    EXPECT_EQ(conversation["messages"][i]["role"], acknowledged[i].first) << i;
    EXPECT_EQ(conversation["messages"][i]["text"], acknowledged[i].second) << i;
  }
  EXPECT_NE(acknowledged.back().second.find("24"), std::string::npos) << acknowledged.back().second;
  // A clean stop on SIGTERM.
  serve.child().kill(SIGTERM);
  ProcessResult result = serve.child().finish(30s);
  EXPECT_FALSE(result.timed_out);
  EXPECT_TRUE(result.exited && result.exit_code == 0)
      << "signal " << result.signal << " code " << result.exit_code;
}

}  // namespace
}  // namespace tektra::test
