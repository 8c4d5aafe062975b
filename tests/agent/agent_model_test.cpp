// The Agent with a language model behind it: what no intent matches goes to the model, the tool
// loop runs the model's calls through the real registry and store and feeds the results back,
// memory (facts, earlier conversations, summaries of old turns) reaches the prompt, and the
// personality is editable. The model is scripted at the engine boundary; everything else is
// production code on a real SQLite store.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "agent/agent.h"
#include "agent_test_support.h"
#include "support/scripted_chat_engine.h"

namespace tektra {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string call(const std::string& name, const json& arguments) {
  return "<tool_call>\n" + json{{"name", name}, {"arguments", arguments}}.dump() + "\n</tool_call>";
}

// The system message of a request the model was given.
std::string system_text(const llm::ChatRequest& r) {
  return r.messages.at(0).at("content").get<std::string>();
}

class AgentModelTest : public ::testing::Test {
 protected:
  AgentModelTest() { config.intents_dir = (dir.path() / "intents").string(); }

  Agent& agent() {
    if (!agent_)
      agent_ = std::make_unique<Agent>(*db.store, bus, config, &model,
                                       [] { return test::local_instant(2024, 5, 14, 15, 10); });
    return *agent_;
  }

  AgentReply say(const std::string& text, ReplyTextCallback on_text = {},
                 CancellationToken cancel = {}) {
    AgentReply reply = agent().respond({.conversation_id = conversation,
                                        .session_id = "session-1",
                                        .text = text,
                                        .on_text = on_text,
                                        .cancel = cancel});
    conversation = reply.conversation_id;
    return reply;
  }

  std::vector<Message> stored() { return db.store->messages(conversation); }

  test::TempDir dir;
  test::TempStore db;
  EventBus bus;
  AgentConfig config;
  test::ScriptedChatEngine model;
  std::string conversation;
  std::unique_ptr<Agent> agent_;
};

TEST_F(AgentModelTest, WhatNoIntentMatchesIsAnsweredByTheModelAsItWrites) {
  model.add("Octopuses have three hearts. Two pump blood to the gills.");
  std::vector<std::string> pieces;
  AgentReply reply = say("tell me something odd about octopuses", [&](std::string_view t) {
    pieces.emplace_back(t);
    return true;
  });
  EXPECT_TRUE(reply.from_model);
  EXPECT_TRUE(reply.understood);
  EXPECT_EQ(reply.text, "Octopuses have three hearts. Two pump blood to the gills.");
  EXPECT_GT(pieces.size(), 5u);  // streamed, not delivered whole
  std::string joined;
  for (const auto& p : pieces) joined += p;
  EXPECT_EQ(joined, reply.text);
  EXPECT_GE(reply.model_first_token_s, 0);
  EXPECT_GE(reply.model_last_token_s, reply.model_first_token_s);

  ASSERT_EQ(model.calls(), 1u);
  const llm::ChatRequest request = model.requests()[0];
  EXPECT_NE(system_text(request).find("You are Tektra"), std::string::npos);
  EXPECT_NE(system_text(request).find("Today is Tuesday 14 May 2024."), std::string::npos);
  EXPECT_EQ(request.messages.back()["role"], "user");
  EXPECT_EQ(request.messages.back()["content"], "tell me something odd about octopuses");
  EXPECT_TRUE(request.tools.is_array());
  EXPECT_EQ(request.tools.size(), agent().tools().list().size());

  auto messages = stored();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].role, "assistant");
  EXPECT_EQ(messages[1].text, reply.text);
  EXPECT_EQ(messages[1].meta["model"], "scripted");
  EXPECT_EQ(messages[1].meta["finish"], "stop");
}

TEST_F(AgentModelTest, AClearIntentMatchNeverWakesTheModel) {
  AgentReply reply = say("what time is it");
  EXPECT_EQ(reply.intent, "GetTime");
  EXPECT_FALSE(reply.from_model);
  EXPECT_EQ(model.calls(), 0u);
}

TEST_F(AgentModelTest, ToolCallsRunThroughTheRegistryAndTheirResultsGoBackToTheModel) {
  model.add("Let me note that. " +
            call("remember_fact", {{"key", "my favourite colour"}, {"value", "teal"}}));
  model.add("Done, I'll remember that your favourite colour is teal.");
  AgentReply reply = say("please keep in mind that teal is the colour I love most");
  EXPECT_EQ(reply.text,
            "Let me note that. Done, I'll remember that your favourite colour is teal.");
  EXPECT_EQ(reply.tools_called, std::vector<std::string>{"remember_fact"});
  // The real tool wrote the real store.
  auto fact = db.store->fact("my favourite colour");
  ASSERT_TRUE(fact);
  EXPECT_EQ(fact->value, "teal");

  ASSERT_EQ(model.calls(), 2u);
  const auto second = model.requests()[1].messages;
  const auto& assistant = second[second.size() - 2];
  const auto& tool = second[second.size() - 1];
  EXPECT_EQ(assistant["role"], "assistant");
  EXPECT_EQ(assistant["content"], "Let me note that.");
  ASSERT_EQ(assistant["tool_calls"].size(), 1u);
  EXPECT_EQ(assistant["tool_calls"][0]["function"]["name"], "remember_fact");
  EXPECT_EQ(json::parse(assistant["tool_calls"][0]["function"]["arguments"].get<std::string>()),
            (json{{"key", "my favourite colour"}, {"value", "teal"}}));
  EXPECT_EQ(tool["role"], "tool");
  EXPECT_EQ(tool["tool_call_id"], assistant["tool_calls"][0]["id"]);
  EXPECT_EQ(json::parse(tool["content"].get<std::string>()),
            (json{{"key", "my favourite colour"}, {"value", "teal"}}));

  // user, assistant (call), tool, assistant (answer)
  auto messages = stored();
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[2].role, "tool");
  EXPECT_EQ(messages[2].meta["name"], "remember_fact");
}

TEST_F(AgentModelTest, ATimerSetByTheModelIsARealTimer) {
  model.add(call("set_timer", {{"seconds", 90}, {"name", "eggs"}}));
  model.add("Your eggs timer is running.");
  say("could you time my eggs for a minute and a half");
  auto timers = agent().timers().list("session-1");
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers[0].name, "eggs");
  EXPECT_EQ(timers[0].duration_ms, 90'000);
}

TEST_F(AgentModelTest, FailedAndMalformedCallsAreExplainedToTheModelNotThrown) {
  model.add(call("launch_rocket", json::object()) + "\n" +
            call("calculate", {{"a", 1}, {"op", "divided by"}, {"b", 0}}));
  model.add("<tool_call>\n{\"name\": \"calculate\", \"arguments\": {\"a\": 1,\n</tool_call>");
  model.add("Sorry, I could not work that out.");
  AgentReply reply = say("launch the rocket and divide one by zero");
  EXPECT_EQ(reply.text, "Sorry, I could not work that out.");
  EXPECT_EQ(reply.tools_called, (std::vector<std::string>{"launch_rocket", "calculate"}));
  const auto requests = model.requests();
  ASSERT_EQ(requests.size(), 3u);
  const std::string second = requests[1].messages.dump();
  EXPECT_NE(second.find("unknown_tool"), std::string::npos);
  EXPECT_NE(second.find("division_by_zero"), std::string::npos);
  const auto& last = requests[2].messages.back();
  EXPECT_EQ(last["role"], "user");
  EXPECT_NE(last["content"].get<std::string>().find("could not be read"), std::string::npos);
}

TEST_F(AgentModelTest, AfterTheLastToolRoundTheModelMustAnswerInWords) {
  config.max_tool_rounds = 2;
  for (int i = 0; i < 2; ++i) model.add(call("get_time", json::object()));
  model.add("It is ten past three.");
  AgentReply reply = say("keep checking the clock for me");
  EXPECT_EQ(reply.text, "It is ten past three.");
  const auto requests = model.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_TRUE(requests[0].tools.is_array());
  EXPECT_TRUE(requests[1].tools.is_array());
  EXPECT_TRUE(requests[2].tools.is_null());
}

TEST_F(AgentModelTest, RelevantFactsAndEarlierConversationsReachThePrompt) {
  db.store->put_fact("my favourite colour", "teal");
  db.store->put_fact("my dog's name", "Biscuit");
  model.add("Noted.");
  say("I am planning a trip to Lisbon in October");
  conversation.clear();  // a new conversation
  model.add("Teal, as you told me.");
  say("which colour should I paint the Lisbon postcard");
  const std::string prompt = system_text(model.requests().back());
  EXPECT_NE(prompt.find("my favourite colour: teal"), std::string::npos) << prompt;
  EXPECT_EQ(prompt.find("Biscuit"), std::string::npos) << "irrelevant facts stay out";
  EXPECT_NE(prompt.find("planning a trip to Lisbon"), std::string::npos) << prompt;
  // The current conversation is in the messages, not repeated as a memory.
  EXPECT_EQ(prompt.find("paint the Lisbon postcard"), std::string::npos);
}

TEST_F(AgentModelTest, OldTurnsAreSummarisedOnceWhenTheContextFills) {
  model.set_context_size(900);
  config.max_reply_tokens = 100;
  const std::string filler(300, 'x');
  for (int i = 0; i < 8; ++i) {
    model.add("Answer " + std::to_string(i) + ".");
    say("question " + std::to_string(i) + " " + filler);
  }
  const auto requests = model.requests();
  int summaries = 0;
  for (const auto& r : requests)
    if (system_text(r).starts_with("You keep short notes")) ++summaries;
  EXPECT_GE(summaries, 1);
  EXPECT_LT(summaries, 4) << "a summary covers several turns, not one each time";
  bool found = false;
  for (const auto& m : stored())
    if (m.role == "system" && m.meta.value("kind", "") == "summary") found = true;
  EXPECT_TRUE(found);
  // The last request fits, shows the summary and starts after the summarised turns.
  const auto& last = requests.back();
  EXPECT_LE(model.prompt_tokens(last), 900 - 100);
  EXPECT_NE(system_text(last).find("Earlier in this conversation:"), std::string::npos);
  EXPECT_NE(last.messages.dump().find("question 7"), std::string::npos);
  EXPECT_EQ(last.messages.dump().find("question 0 "), std::string::npos);
}

TEST_F(AgentModelTest, WhenSummarisingFailsOldTurnsAreDroppedWithANote) {
  model.set_context_size(900);
  config.max_reply_tokens = 100;
  // Summaries come back empty, which counts as a failure; answers are answers.
  model.script = [](const llm::ChatRequest& r) {
    return system_text(r).starts_with("You keep short notes") ? "" : "An answer.";
  };
  const std::string filler(300, 'x');
  for (int i = 0; i < 8; ++i) say("question " + std::to_string(i) + " " + filler);
  const auto last = model.requests().back();
  EXPECT_NE(system_text(last).find("no longer fit"), std::string::npos) << system_text(last);
  EXPECT_EQ(system_text(last).find("Earlier in this conversation"), std::string::npos);
  EXPECT_LE(model.prompt_tokens(last), 900 - 100);
  EXPECT_EQ(last.messages.dump().find("question 0 "), std::string::npos);
}

TEST_F(AgentModelTest, AnEngineWhoseContextIsSmallerThanEstimatedIsAskedAgainWithoutTools) {
  // A remote server's real context, smaller than the one configured: the tools overflow it.
  model.refuse_over = 600;
  model.add("Fine without tools.");
  AgentReply reply = say("tell me a joke");
  EXPECT_EQ(reply.text, "Fine without tools.");
  ASSERT_EQ(model.calls(), 1u);
  EXPECT_TRUE(model.requests()[0].tools.is_null());
}

TEST_F(AgentModelTest, AMessageTooLongForTheContextIsAClearError) {
  model.set_context_size(300);
  config.max_reply_tokens = 100;
  auto error = test::thrown_error([&] { say("tell me " + std::string(4000, 'y')); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "context_full");
}

TEST_F(AgentModelTest, CancellingStopsTheReplyAndKeepsWhatWasSaid) {
  model.piece_delay = 5ms;
  model.add("One two three four five six seven eight nine ten eleven twelve thirteen.");
  CancellationToken cancel;
  std::string heard;
  AgentReply reply = say(
      "count for me slowly",
      [&](std::string_view t) {
        heard += t;
        if (heard.size() >= 12) cancel.cancel();
        return true;
      },
      cancel);
  EXPECT_TRUE(reply.cancelled);
  EXPECT_LT(reply.text.size(), 30u);
  auto messages = stored();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].text, reply.text);
  EXPECT_EQ(messages[1].meta["cancelled"], true);
}

TEST_F(AgentModelTest, WhileTheModelIsDownRepliesComeFromIntentsOnly) {
  model.unavailable = true;
  AgentReply reply = say("write me a poem about the sea");
  EXPECT_FALSE(reply.from_model);
  EXPECT_EQ(reply.text, not_understood_reply());
  EXPECT_EQ(say("what time is it").intent, "GetTime");
}

TEST_F(AgentModelTest, ThePersonalityIsEditableValidatedAndPersists) {
  EXPECT_EQ(agent().personality().name, "Tektra");
  Personality p = agent().update_personality({{"name", "Ada"}, {"persona", "You love trains."}});
  EXPECT_EQ(p.name, "Ada");
  EXPECT_EQ(p.verbosity, "brief");
  EXPECT_EQ(test::thrown_message([&] {
              agent().update_personality({{"verbosity", "epic"}});
            }),
            "personality verbosity 'epic' is not brief, normal or detailed");
  EXPECT_EQ(test::thrown_message([&] {
              agent().update_personality({{"mood", "grumpy"}});
            }),
            "personality has no field \"mood\"");
  EXPECT_EQ(test::thrown_message([&] {
              agent().update_personality({{"name", 7}});
            }),
            "personality name must be a string");
  EXPECT_EQ(test::thrown_message([&] {
              agent().update_personality({{"name", "  "}});
            }),
            "personality name must not be empty");

  agent_.reset();
  db.reopen();
  EXPECT_EQ(agent().personality().name, "Ada");
  model.add("Choo choo.");
  say("tell me about your hobbies");
  const std::string prompt = system_text(model.requests().back());
  EXPECT_NE(prompt.find("You are Ada"), std::string::npos);
  EXPECT_NE(prompt.find("You love trains."), std::string::npos);
  EXPECT_EQ(say("hello").text, "Hello! I'm Ada. How can I help?");
  // The new name is ignored in commands, as the configured one is.
  EXPECT_EQ(say("thanks Ada").intent, "Thanks");
  EXPECT_EQ(say("hey Ada what is 12 times 7").intent, "Calculate");

  EXPECT_EQ(agent().reset_personality().name, "Tektra");
  EXPECT_EQ(agent().personality().name, "Tektra");
}

TEST_F(AgentModelTest, ConcurrentConversationsEachGetTheirOwnReply) {
  for (int i = 0; i < 8; ++i) model.add("A reply.");
  agent();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      std::string session = "session-";
      session += std::to_string(i);
      AgentReply r = agent_->respond({.session_id = session, .text = "sing me a song please"});
      if (r.from_model && r.text == "A reply.") ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4);
}

}  // namespace
}  // namespace tektra
