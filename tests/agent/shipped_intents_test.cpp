// The shipped templates against many phrasings: typed (capitals, digits, punctuation) and
// speech-recognizer style (lower case, numbers as words, no punctuation).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "agent/intent_engine.h"

namespace tektra {
namespace {

const IntentEngine& shipped() {
  static const IntentEngine engine(shipped_templates(), {"Tektra"});
  return engine;
}

struct Phrase {
  const char* text;
  const char* intent;
  nlohmann::json slots = nlohmann::json::object();  // expected subset
};

class ShippedPhrases : public ::testing::TestWithParam<Phrase> {};

TEST_P(ShippedPhrases, MatchTheirIntentAndSlots) {
  const Phrase& p = GetParam();
  auto m = shipped().match(p.text);
  ASSERT_TRUE(m) << p.text;
  EXPECT_EQ(m->intent, p.intent) << p.text << " slots " << m->slots.dump();
  for (const auto& [key, value] : p.slots.items()) {
    EXPECT_EQ(m->slots.value(key, nlohmann::json()), value)
        << p.text << ": slot " << key << " in " << m->slots.dump();
  }
  if (p.slots.is_object()) {
    for (const auto& [key, value] : m->slots.items()) {
      EXPECT_TRUE(p.slots.contains(key))
          << p.text << ": unexpected slot " << key << "=" << value.dump();
    }
  }
}

using J = nlohmann::json;

INSTANTIATE_TEST_SUITE_P(
    Time, ShippedPhrases,
    ::testing::Values(
        Phrase{"what time is it", "GetTime"}, Phrase{"What time is it?", "GetTime"},
        Phrase{"what's the time", "GetTime"}, Phrase{"What is the time right now?", "GetTime"},
        Phrase{"tell me the time please", "GetTime"},
        Phrase{"hey tektra what time is it", "GetTime"},
        Phrase{"do you know what time it is", "GetTime"},
        Phrase{"have you got the time", "GetTime"},
        Phrase{"Could you tell me the current time?", "GetTime"}, Phrase{"the time", "GetTime"},
        Phrase{"what's the date", "GetDate"}, Phrase{"What is today's date?", "GetDate"},
        Phrase{"what day is it today", "GetDate"}, Phrase{"what day of the week is it", "GetDate"},
        Phrase{"which date is it today", "GetDate"}, Phrase{"what is today", "GetDate"},
        Phrase{"tell me today's date", "GetDate"},
        Phrase{"do you know what day it is", "GetDate"}));

INSTANTIATE_TEST_SUITE_P(
    Timers, ShippedPhrases,
    ::testing::Values(
        Phrase{"set a timer for five minutes", "SetTimer", J{{"duration", 300}}},
        Phrase{"Set a timer for 10 minutes.", "SetTimer", J{{"duration", 600}}},
        Phrase{"set a timer for 90 seconds", "SetTimer", J{{"duration", 90}}},
        Phrase{"start a timer for an hour and a half", "SetTimer", J{{"duration", 5400}}},
        Phrase{"set a timer for one hour and thirty seconds", "SetTimer", J{{"duration", 3630}}},
        Phrase{"set a timer for a minute", "SetTimer", J{{"duration", 60}}},
        Phrase{"set a five minute timer", "SetTimer", J{{"duration", 300}}},
        Phrase{"set a 3 minute timer for eggs", "SetTimer", J{{"duration", 180}, {"name", "eggs"}}},
        Phrase{"set a timer for ten minutes called pasta", "SetTimer",
               J{{"duration", 600}, {"name", "pasta"}}},
        Phrase{"Set a timer for 4 minutes named Tea", "SetTimer",
               J{{"duration", 240}, {"name", "Tea"}}},
        Phrase{"set a pizza timer for twelve minutes", "SetTimer",
               J{{"duration", 720}, {"name", "pizza"}}},
        Phrase{"set a timer called boiled eggs for 6 minutes", "SetTimer",
               J{{"duration", 360}, {"name", "boiled eggs"}}},
        Phrase{"can you set a timer for twenty five minutes please", "SetTimer",
               J{{"duration", 1500}}},
        Phrase{"timer for half an hour", "SetTimer", J{{"duration", 1800}}},
        Phrase{"remind me in 2 hours", "SetTimer", J{{"duration", 7200}}},
        Phrase{"cancel the timer", "CancelTimer"}, Phrase{"stop my timer", "CancelTimer"},
        Phrase{"cancel the tea timer", "CancelTimer", J{{"name", "tea"}}},
        Phrase{"Turn off the pasta timer!", "CancelTimer", J{{"name", "pasta"}}},
        Phrase{"cancel the timer called boiled eggs", "CancelTimer", J{{"name", "boiled eggs"}}},
        Phrase{"cancel all timers", "CancelAllTimers"},
        Phrase{"cancel all of my timers", "CancelAllTimers"},
        Phrase{"clear the timers", "CancelAllTimers"},
        Phrase{"stop every timer", "CancelAllTimers"}, Phrase{"list my timers", "ListTimers"},
        Phrase{"what timers do I have?", "ListTimers"},
        Phrase{"do i have any timers running", "ListTimers"},
        Phrase{"how many timers are running", "ListTimers"},
        Phrase{"show all timers", "ListTimers"}, Phrase{"how much time is left", "TimerRemaining"},
        Phrase{"How long is left on the timer?", "TimerRemaining"},
        Phrase{"how much time is left on the tea timer", "TimerRemaining", J{{"name", "tea"}}},
        Phrase{"how long until the pasta timer goes off", "TimerRemaining", J{{"name", "pasta"}}},
        Phrase{"time left on my timer", "TimerRemaining"},
        Phrase{"what's left on the eggs timer", "TimerRemaining", J{{"name", "eggs"}}},
        Phrase{"how is my timer doing", "TimerRemaining"}));

INSTANTIATE_TEST_SUITE_P(
    Facts, ShippedPhrases,
    ::testing::Values(
        Phrase{"remember that my favourite colour is blue", "RememberFact",
               J{{"key", "favourite colour"}, {"value", "blue"}}},
        Phrase{"Remember my favorite color is Blue.", "RememberFact",
               J{{"key", "favorite color"}, {"value", "Blue"}}},
        Phrase{"my name is Ada", "RememberFact", J{{"key", "name"}, {"value", "Ada"}}},
        Phrase{"please remember that my keys are in the kitchen drawer", "RememberFact",
               J{{"key", "keys"}, {"value", "in the kitchen drawer"}}},
        Phrase{"don't forget that my wife's birthday is on March 3rd", "RememberFact",
               J{{"key", "wife's birthday"}, {"value", "on March 3rd"}}},
        Phrase{"what is my favourite colour", "RecallFact", J{{"key", "favourite colour"}}},
        Phrase{"What's my favorite color?", "RecallFact", J{{"key", "favorite color"}}},
        Phrase{"where are my keys", "RecallFact", J{{"key", "keys"}}},
        Phrase{"do you remember my name", "RecallFact", J{{"key", "name"}}},
        Phrase{"when is my wife's birthday", "RecallFact", J{{"key", "wife's birthday"}}},
        Phrase{"what did i tell you my name was", "RecallFact", J{{"key", "name"}}}));

INSTANTIATE_TEST_SUITE_P(
    Math, ShippedPhrases,
    ::testing::Values(
        Phrase{"what is 12 times 7", "Calculate", J{{"a", 12}, {"op", "times"}, {"b", 7}}},
        Phrase{"What's 12*7?", "Calculate", J{{"a", 12}, {"op", "times"}, {"b", 7}}},
        Phrase{"what is twelve times seven", "Calculate", J{{"a", 12}, {"op", "times"}, {"b", 7}}},
        Phrase{"how much is one hundred and five plus twenty", "Calculate",
               J{{"a", 105}, {"op", "plus"}, {"b", 20}}},
        Phrase{"calculate 2.5 minus 0.5", "Calculate", J{{"a", 2.5}, {"op", "minus"}, {"b", 0.5}}},
        Phrase{"what is 10 divided by 4", "Calculate",
               J{{"a", 10}, {"op", "divided by"}, {"b", 4}}},
        Phrase{"10 / 0", "Calculate", J{{"a", 10}, {"op", "divided by"}, {"b", 0}}},
        Phrase{"what is six multiplied by seven", "Calculate",
               J{{"a", 6}, {"op", "times"}, {"b", 7}}},
        Phrase{"what does two thousand take away one equal", "Calculate",
               J{{"a", 2000}, {"op", "minus"}, {"b", 1}}},
        Phrase{"what is minus three plus 4", "Calculate", J{{"a", -3}, {"op", "plus"}, {"b", 4}}}));

INSTANTIATE_TEST_SUITE_P(
    Conversation, ShippedPhrases,
    ::testing::Values(Phrase{"hello", "Greeting"}, Phrase{"Hi there!", "Greeting"},
                      Phrase{"hey", "Greeting"}, Phrase{"good morning", "Greeting"},
                      Phrase{"hello how are you today", "Greeting"}, Phrase{"thanks", "Thanks"},
                      Phrase{"Thank you very much!", "Thanks"}, Phrase{"thanks tektra", "Thanks"},
                      Phrase{"cheers", "Thanks"}, Phrase{"goodbye", "Goodbye"},
                      Phrase{"bye bye", "Goodbye"}, Phrase{"Bye-bye!", "Goodbye"},
                      Phrase{"see you later", "Goodbye"}, Phrase{"good night", "Goodbye"},
                      Phrase{"that's all for now thanks", "Goodbye"}, Phrase{"help", "Help"},
                      Phrase{"what can you do?", "Help"}, Phrase{"What can I say", "Help"},
                      Phrase{"how do i use this", "Help"}));

TEST(ShippedIntents, UnrelatedSentencesDoNotMatch) {
  for (const char* text : {"what is the capital of france", "play some music", "turn on the lights",
                           "the weather tomorrow", "set an alarm for seven", "timer", "my",
                           "remember", "what is twelve times", "asdf qwerty"}) {
    EXPECT_FALSE(shipped().match(text)) << text << " -> " << shipped().match(text)->intent;
  }
}

// Prints how long one match takes on the shipped templates; not asserted, timing varies by machine.
TEST(ShippedIntents, MeasureMatchTime) {
  const std::vector<std::string> sentences = {
      "what time is it",
      "Set a timer for 10 minutes called pasta.",
      "remember that my favourite colour is blue",
      "what is one hundred and five times twenty seven",
      "how much time is left on the tea timer",
      "could you please tell me what the capital of france is",
      "thank you very much",
      "what's my favorite color?"};
  const int rounds = 2000;
  auto start = std::chrono::steady_clock::now();
  size_t matched = 0;
  for (int r = 0; r < rounds; ++r) {
    for (const auto& s : sentences) matched += shipped().match(s).has_value();
  }
  double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
      (rounds * sentences.size());
  EXPECT_EQ(matched, (sentences.size() - 1) * rounds);
  std::printf(
      "[ MEASURE  ] intent match: %.1f us per sentence (%zu shipped sentences, %zu intents)\n", us,
      compile_templates(shipped_templates()).sentences.size(), shipped().intents().size());
}

}  // namespace
}  // namespace tektra
