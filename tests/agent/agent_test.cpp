// The Agent end to end on a real SQLite store: every built-in intent's reply, what gets stored,
// facts surviving a restart, user templates, and the request errors.
#include "agent/agent.h"

#include <gtest/gtest.h>

#include <thread>

#include "agent_test_support.h"

namespace tektra {
namespace {

using namespace std::chrono_literals;

class AgentTest : public ::testing::Test {
 protected:
  AgentTest() { config.intents_dir = (dir.path() / "intents").string(); }

  Agent& agent() {
    if (!agent_) {
      agent_ = std::make_unique<Agent>(*db.store, bus, config, nullptr,
                                       [] { return test::local_instant(2024, 5, 14, 15, 10); });
    }
    return *agent_;
  }

  // Sends `text` in this test's conversation (created by the first turn).
  AgentReply say(const std::string& text, const std::string& session = "session-1") {
    AgentReply reply =
        agent().respond({.conversation_id = conversation, .session_id = session, .text = text});
    conversation = reply.conversation_id;
    return reply;
  }

  std::string reply_to(const std::string& text) { return say(text).text; }

  // Simulates a process restart: a new store connection and a new Agent on the same database.
  void restart() {
    agent_.reset();
    db.reopen();
  }

  test::TempDir dir;
  test::TempStore db;
  EventBus bus;
  AgentConfig config;
  std::string conversation;
  std::unique_ptr<Agent> agent_;
};

TEST_F(AgentTest, TellsTheTimeAndDate) {
  AgentReply time = say("What time is it?");
  EXPECT_TRUE(time.understood);
  EXPECT_EQ(time.intent, "GetTime");
  EXPECT_EQ(time.text, "It's ten past three in the afternoon.");
  EXPECT_EQ(reply_to("what's the date today"),
            "Today is Tuesday the fourteenth of May, twenty twenty-four.");
  EXPECT_EQ(reply_to("what day is it"),
            "Today is Tuesday the fourteenth of May, twenty twenty-four.");
}

TEST_F(AgentTest, SetsListsChecksAndCancelsTimers) {
  EXPECT_EQ(reply_to("list my timers"), "You don't have any timers.");
  AgentReply set = say("set a timer for five minutes");
  EXPECT_EQ(set.intent, "SetTimer");
  EXPECT_EQ(set.slots["duration"], 300);
  EXPECT_EQ(set.text, "Timer set for five minutes.");
  EXPECT_EQ(reply_to("Set a timer for 4 minutes called tea."), "Tea timer set for four minutes.");
  EXPECT_EQ(reply_to("set a timer for 2 minutes called Tea"),
            "You already have a timer called Tea.");
  EXPECT_EQ(reply_to("list my timers"),
            "You have two timers: the tea timer with four minutes left and a five minute timer "
            "with five minutes "
            "left.");
  EXPECT_EQ(reply_to("how much time is left on the tea timer"),
            "Your tea timer has four minutes left.");
  EXPECT_EQ(reply_to("how long is left on the pasta timer"),
            "You don't have a timer called pasta.");
  EXPECT_EQ(
      reply_to("how much time is left"),
      "Your tea timer has four minutes left and your five minute timer has five minutes left.");
  EXPECT_EQ(reply_to("cancel the timer"),
            "You have two timers: tea timer and five minute timer. Which one should I cancel? You "
            "can also say "
            "cancel all timers.");
  EXPECT_EQ(reply_to("cancel the pasta timer"), "You don't have a timer called pasta.");
  EXPECT_EQ(reply_to("cancel the tea timer"), "Tea timer cancelled.");
  EXPECT_EQ(reply_to("cancel the timer"), "Five minute timer cancelled.");
  EXPECT_EQ(reply_to("cancel the timer"), "You don't have any timers.");
  say("set a timer for an hour and a half");
  EXPECT_EQ(reply_to("cancel all timers"), "Your one hour thirty minute timer is cancelled.");
  say("set a timer for 1 minute");
  say("set a timer for 2 minutes");
  EXPECT_EQ(reply_to("cancel all timers"), "Both timers are cancelled.");
  EXPECT_EQ(reply_to("cancel all timers"), "You don't have any timers.");
}

TEST_F(AgentTest, RefusesTimersThatAreTooShortOrTooLong) {
  EXPECT_EQ(reply_to("set a timer for zero seconds"),
            "A timer needs to be at least one second long.");
  EXPECT_EQ(reply_to("set a timer for 25 hours"),
            "I can only set timers for up to twenty-four hours.");
  EXPECT_TRUE(agent().timers().list("session-1").empty());
}

TEST_F(AgentTest, TimersAreKeptPerSessionAndFireWithTheirSession) {
  test::EventCollector fired(bus, "tektra.timer.fired");
  say("set a timer for 1 second called toast", "kitchen");
  EXPECT_EQ(reply_to("list timers"), "You don't have any timers.");  // session-1 has none
  auto events = fired.wait_for(1, 3s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].session_id, "kitchen");
  EXPECT_EQ(events[0].data["message"], "Your toast timer is done.");
  EXPECT_EQ(events[0].data["conversation_id"], conversation);
}

TEST_F(AgentTest, RemembersAndRecallsFactsWithPronounsFlipped) {
  EXPECT_EQ(reply_to("what is my favourite colour"), "I don't know your favourite colour yet.");
  AgentReply remembered = say("remember that my favourite colour is blue");
  EXPECT_EQ(remembered.intent, "RememberFact");
  EXPECT_EQ(remembered.text, "OK, I'll remember that your favourite colour is blue.");
  EXPECT_EQ(reply_to("what is my favourite colour"), "Your favourite colour is blue.");
  EXPECT_EQ(reply_to("What's my favorite color?"), "Your favorite color is blue.");
  EXPECT_EQ(reply_to("Remember that my keys are in my coat pocket."),
            "OK, I'll remember that your keys are in your coat pocket.");
  EXPECT_EQ(reply_to("where are my keys"), "Your keys are in your coat pocket.");
  EXPECT_EQ(reply_to("my name is Ada"), "OK, I'll remember that your name is Ada.");
  ASSERT_TRUE(db.store->fact("my favourite colour"));
  EXPECT_EQ(db.store->fact("my favourite colour")->value, "blue");
  EXPECT_EQ(db.store->fact("my name")->value, "Ada");
}

TEST_F(AgentTest, FactsSurviveARestart) {
  say("remember that my favourite colour is blue");
  restart();
  conversation.clear();
  EXPECT_EQ(reply_to("what's my favourite colour"), "Your favourite colour is blue.");
}

TEST_F(AgentTest, DoesArithmetic) {
  AgentReply product = say("what is 12 times 7");
  EXPECT_EQ(product.intent, "Calculate");
  EXPECT_EQ(product.text, "12 times 7 is 84.");
  EXPECT_EQ(reply_to("what is twelve times seven"), "12 times 7 is 84.");
  EXPECT_EQ(reply_to("What's 10/4?"), "10 divided by 4 is 2.5.");
  EXPECT_EQ(reply_to("what is 2.5 plus 0.25"), "2.5 plus 0.25 is 2.75.");
  EXPECT_EQ(reply_to("how much is one hundred and five minus two hundred"),
            "105 minus 200 is -95.");
  EXPECT_EQ(reply_to("what is 1 divided by 3"), "1 divided by 3 is about 0.3333.");
  EXPECT_EQ(reply_to("what is 7 divided by zero"), "I can't divide by zero; it has no answer.");
  EXPECT_EQ(reply_to("what is a billion times a billion"),
            "1000000000 times 1000000000 is about 1 times ten to the power of 18.");
}

TEST_F(AgentTest, GreetsThanksHelpsAndSaysGoodbye) {
  AgentReply hello = say("Hello!");
  EXPECT_EQ(hello.text, "Hello! I'm Tektra. How can I help?");
  EXPECT_FALSE(hello.end_conversation);
  EXPECT_EQ(reply_to("thank you"), "You're welcome.");
  std::string help = reply_to("what can you do?");
  EXPECT_EQ(help.rfind("I'm Tektra. I can ", 0), 0u) << help;
  for (const auto& capability : agent().capabilities())
    EXPECT_NE(help.find(capability), std::string::npos) << help;
  AgentReply bye = say("goodbye");
  EXPECT_EQ(bye.intent, "Goodbye");
  EXPECT_TRUE(bye.end_conversation);
  EXPECT_TRUE(bye.understood);
}

TEST_F(AgentTest, UsesTheConfiguredName) {
  config.name = "Jarvis";
  EXPECT_EQ(reply_to("hi"), "Hello! I'm Jarvis. How can I help?");
  EXPECT_EQ(say("thanks Jarvis").intent, "Thanks");
  EXPECT_NE(reply_to("help").find("I'm Jarvis."), std::string::npos);
}

TEST_F(AgentTest, SaysPolitelyWhatItCannotDo) {
  AgentReply reply = say("what is the capital of France?");
  EXPECT_FALSE(reply.understood);
  EXPECT_EQ(reply.intent, "");
  EXPECT_EQ(reply.slots, nlohmann::json::object());
  EXPECT_EQ(reply.text, "Sorry, I can't do that yet. Ask me for help to hear what I can do.");
  EXPECT_FALSE(reply.end_conversation);
}

TEST_F(AgentTest, StoresBothMessagesWithIntentMeta) {
  AgentReply reply = say("set a timer for ten minutes called pasta");
  ASSERT_FALSE(reply.conversation_id.empty());
  auto conv = db.store->conversation(reply.conversation_id);
  ASSERT_TRUE(conv);
  EXPECT_EQ(conv->title, "set a timer for ten minutes called pasta");
  auto messages = db.store->messages(reply.conversation_id);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].role, "user");
  EXPECT_EQ(messages[0].text, "set a timer for ten minutes called pasta");
  EXPECT_EQ(messages[0].meta["intent"], "SetTimer");
  EXPECT_EQ(messages[0].meta["slots"], (nlohmann::json{{"duration", 600}, {"name", "pasta"}}));
  EXPECT_GT(messages[0].meta["score"].get<double>(), 0.5);
  EXPECT_EQ(messages[1].role, "assistant");
  EXPECT_EQ(messages[1].text, "Pasta timer set for ten minutes.");
  EXPECT_EQ(messages[1].meta["intent"], "SetTimer");
  EXPECT_EQ(messages[1].meta["understood"], true);
  EXPECT_GE(messages[1].meta["latency_ms"].get<double>(), 0.0);

  say("blah blah");
  messages = db.store->messages(reply.conversation_id);
  ASSERT_EQ(messages.size(), 4u);  // the same conversation continues
  EXPECT_EQ(messages[2].meta["intent"], "");
  EXPECT_EQ(messages[3].meta["understood"], false);
}

TEST_F(AgentTest, LongOpeningMessagesGetAShortTitle) {
  std::string text = "remember that my favourite quotation is " + std::string(200, 'a');
  AgentReply reply = say(text);
  auto title = db.store->conversation(reply.conversation_id)->title;
  EXPECT_EQ(title, text.substr(0, 60) + "...");
}

TEST_F(AgentTest, RejectsBlankTextAndUnknownConversationsWithoutStoringAnything) {
  for (const char* blank : {"", "   ", "\n\t "}) {
    EXPECT_EQ(test::thrown_code([&] { agent().respond({.session_id = "s", .text = blank}); }),
              "empty_text")
        << blank;
  }
  EXPECT_EQ(test::thrown_code([&] {
              agent().respond(
                  {.conversation_id = "no-such-conversation", .session_id = "s", .text = "hello"});
            }),
            "not_found");
  EXPECT_TRUE(db.store->conversations(10, 0).empty());
  std::string existing = say("hello").conversation_id;
  EXPECT_EQ(test::thrown_code([&] {
              agent().respond({.conversation_id = existing, .session_id = "s", .text = " "});
            }),
            "empty_text");
  EXPECT_EQ(db.store->messages(existing).size(), 2u);
}

TEST_F(AgentTest, UserTemplatesAddAndOverrideIntents) {
  dir.write("intents/home.ini",
            "[GetTime]\nclock check\n[LightsOn]\nturn on the {room} "
            "lights\n[$room]\nkitchen\nliving room\n");
  AgentReply time = say("clock check");
  EXPECT_EQ(time.intent, "GetTime");
  EXPECT_EQ(time.text, "It's ten past three in the afternoon.");
  EXPECT_FALSE(say("what time is it").understood);  // the user's GetTime replaced the shipped one
  AgentReply lights = say("Turn on the living room lights");
  EXPECT_EQ(lights.intent, "LightsOn");  // matched, but no built-in action
  EXPECT_EQ(lights.slots["room"], "living room");
  EXPECT_FALSE(lights.understood);
  EXPECT_TRUE(agent().intents().has_intent("LightsOn"));
  EXPECT_NE(agent().grammar_jsgf().find("<intent_LightsOn> = turn on the <list_room> lights;"),
            std::string::npos);
}

TEST_F(AgentTest, ABadUserTemplateFailsConstructionNamingTheFile) {
  dir.write("intents/broken.ini", "[Oops]\nturn on (the lights\n");
  auto error = test::thrown_error([&] { agent(); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "invalid_template");
  EXPECT_NE(std::string(error->what()).find("broken.ini:2: unclosed '('"), std::string::npos)
      << error->what();
}

TEST_F(AgentTest, ExposesGrammarToolsAndCapabilities) {
  EXPECT_EQ(agent().grammar_jsgf().rfind("#JSGF V1.0;\ngrammar tektra;\n", 0), 0u);
  EXPECT_EQ(agent().tools().list().size(), 9u);
  EXPECT_FALSE(agent().capabilities().empty());
}

TEST_F(AgentTest, RespondsFromManyThreadsAtOnce) {
  agent();
  std::vector<std::thread> threads;
  std::vector<std::string> conversations(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::string id;
      for (int i = 0; i < 10; ++i) {
        AgentReply r = agent().respond(
            {id, "session-" + std::to_string(t), "what is " + std::to_string(i) + " plus 1"});
        EXPECT_EQ(r.text, std::to_string(i) + " plus 1 is " + std::to_string(i + 1) + ".");
        id = r.conversation_id;
      }
      conversations[t] = id;
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& id : conversations) EXPECT_EQ(db.store->messages(id).size(), 20u);
}

}  // namespace
}  // namespace tektra
