// The matcher on small hand-written templates: each syntax element, slots, filler, scoring, ties.
#include "agent/intent_engine.h"

#include <gtest/gtest.h>

#include "agent_test_support.h"

namespace tektra {
namespace {

IntentEngine engine(const std::string& text, const std::vector<std::string>& ignorable = {}) {
  TemplateSet set;
  set.add_file("test.ini", text);
  return IntentEngine(std::move(set), ignorable);
}

std::string intent_of(const IntentEngine& e, std::string_view text) {
  auto m = e.match(text);
  return m ? m->intent : "(none)";
}

TEST(IntentEngine, MatchesLiteralSentencesWithFullScore) {
  auto e = engine("[GetTime]\nwhat time is it\n");
  auto m = e.match("What time is it?");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->intent, "GetTime");
  EXPECT_EQ(m->slots, nlohmann::json::object());
  EXPECT_DOUBLE_EQ(m->score, 1.0);
  EXPECT_FALSE(e.match("what time is"));
  EXPECT_FALSE(e.match("what time is it now"));
  EXPECT_FALSE(e.match(""));
  EXPECT_FALSE(e.match("   ?!  "));
}

TEST(IntentEngine, OptionalsAndAlternatives) {
  auto e = engine("[T]\n(what is | tell me) the [current] time [(now | right now)]\n");
  for (const char* ok : {"what is the time", "what's the time", "tell me the current time",
                         "what is the time right now", "tell me the time now"}) {
    EXPECT_EQ(intent_of(e, ok), "T") << ok;
  }
  for (const char* bad :
       {"the time", "what is the the time", "tell me the time right", "what is time"}) {
    EXPECT_EQ(intent_of(e, bad), "(none)") << bad;
  }
}

TEST(IntentEngine, NumberSlotsAcceptWordsAndDigits) {
  auto e = engine("[Add]\nadd {a:number} and {b:number}\n");
  auto m = e.match("add twelve and one hundred and five");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->slots["a"], 12);
  EXPECT_EQ(m->slots["b"], 105);
  EXPECT_TRUE(m->slots["b"].is_number_integer());
  m = e.match("Add 2.5 and 1,000");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->slots["a"], 2.5);
  EXPECT_EQ(m->slots["b"], 1000);
  m = e.match("add two thousand three hundred and forty five and minus three");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->slots["a"], 2345);
  EXPECT_EQ(m->slots["b"], -3);
  EXPECT_FALSE(e.match("add apples and pears"));
  EXPECT_FALSE(e.match("add one two and three"));
}

TEST(IntentEngine, DurationRuleAndDurationSlots) {
  auto e = engine("[SetTimer]\nset a timer for <duration>\n[Wait]\nwait {time:duration}\n");
  auto m = e.match("set a timer for an hour and a half");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->intent, "SetTimer");
  EXPECT_EQ(m->slots["duration"], 5400);
  m = e.match("wait 90 seconds");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->slots["time"], 90);
  m = e.match("wait 1.5 minutes");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->slots["time"], 90);
  m = e.match("wait a quarter of an hour");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->slots["time"], 900);
  EXPECT_FALSE(e.match("wait five"));
  EXPECT_FALSE(e.match("wait five apples"));
}

TEST(IntentEngine, TextSlotsCaptureOneOrMoreWordsKeepingCase) {
  auto e = engine("[Name]\nmy name is {name:text}\n[Say]\nsay {what} please\n");
  auto m = e.match("My name is Ada Lovelace.");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->slots["name"], "Ada Lovelace");
  m = e.match("my name is O'Brien");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->slots["name"], "O'Brien");
  m = e.match("say hello world please");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->intent, "Say");
  EXPECT_EQ(m->slots["what"], "hello world");  // the literal "please" is not captured
  EXPECT_FALSE(e.match("my name is"));         // a text slot needs at least one word
}

TEST(IntentEngine, ListSlotsReturnTheListedValue) {
  auto e = engine("[Paint]\npaint it {colour}\n[$colour]\nred\nsky blue = blue\ngray\n");
  auto m = e.match("paint it sky blue");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->slots["colour"], "blue");
  m = e.match("Paint it grey!");  // British/American spelling both map to the listed word
  ASSERT_TRUE(m);
  EXPECT_EQ(m->slots["colour"], "grey");
  EXPECT_FALSE(e.match("paint it green"));
}

TEST(IntentEngine, RulesAreInlined) {
  auto e = engine(
      "<polite> = [please | kindly]\n<thing> = (lamp | light)\n[On]\n<polite> turn on the "
      "<thing>\n");
  EXPECT_EQ(intent_of(e, "turn on the light"), "On");
  EXPECT_EQ(intent_of(e, "kindly turn on the lamp"), "On");
  EXPECT_EQ(intent_of(e, "turn on the fan"), "(none)");
}

TEST(IntentEngine, FillerIsToleratedAnywhereAndOpeningsAtTheStart) {
  auto e = engine("[GetTime]\nwhat time is it\n[Thanks]\nthanks\n", {"Tektra"});
  for (const char* ok :
       {"please what time is it", "what time is it please", "what, um, time is it",
        "hey what time is it", "hey tektra what time is it", "could you tell me what time is it",
        "ok so what time is it", "what time is it tektra"}) {
    auto m = e.match(ok);
    ASSERT_TRUE(m) << ok;
    EXPECT_EQ(m->intent, "GetTime") << ok;
    EXPECT_LT(m->score, 1.0) << ok;
    EXPECT_GT(m->score, 0.5) << ok;
  }
  EXPECT_EQ(intent_of(e, "thanks tektra"), "Thanks");
  // Openings only count at the start; in the middle they are real words.
  EXPECT_EQ(intent_of(e, "what time could you is it"), "(none)");
  EXPECT_EQ(intent_of(e, "please"), "(none)");
}

TEST(IntentEngine, TemplateWordsBeatFreeText) {
  auto e = engine(
      "[Recall]\nwhat is {thing:text}\n[GetTime]\nwhat is the time\n[Calc]\nwhat is {a:number} "
      "plus {b:number}\n");
  EXPECT_EQ(intent_of(e, "what is the time"), "GetTime");
  EXPECT_EQ(intent_of(e, "what is 2 plus 2"), "Calc");
  EXPECT_EQ(intent_of(e, "what is the capital of France"), "Recall");
  auto time = e.match("what is the time");
  auto recall = e.match("what is the capital of France");
  EXPECT_GT(time->score, recall->score);
}

TEST(IntentEngine, EqualScoresGoToTheIntentListedFirst) {
  auto e = engine("[First]\nhello there\n[Second]\nhello there\n");
  EXPECT_EQ(intent_of(e, "hello there"), "First");
}

TEST(IntentEngine, UserDirectoryIntentsAddAndOverride) {
  TemplateSet shipped;
  shipped.add_file("shipped.ini", "[GetTime]\nwhat time is it\n[Lights]\nlights on\n");
  test::TempDir dir;
  dir.write("user/mine.ini",
            "[GetTime]\nclock\n[Party]\nlights on\n[Coffee]\nmake {n:number} coffees\n");
  shipped.override_with(load_template_directory(dir.file("user")));
  IntentEngine e(std::move(shipped));
  EXPECT_EQ(intent_of(e, "clock"), "GetTime");
  EXPECT_EQ(intent_of(e, "what time is it"), "(none)");  // the user replaced GetTime's sentences
  EXPECT_EQ(intent_of(e, "lights on"), "Party");         // a tie goes to the user's intent
  auto m = e.match("make three coffees");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->slots["n"], 3);
  EXPECT_TRUE(e.has_intent("Coffee"));
  EXPECT_FALSE(e.has_intent("Tea"));
}

TEST(IntentEngine, LongAndHostileInputDoesNotBreakIt) {
  auto e = engine("[Say]\nsay {what:text}\n[N]\ncount {n:number}\n");
  std::string many;
  for (int i = 0; i < 63; ++i) many += "word ";
  auto m = e.match("say " + many);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->slots["what"].get<std::string>().size(), many.size() - 1);
  EXPECT_FALSE(e.match("say word " + many));  // 65 words: over the limit
  std::string huge;
  for (int i = 0; i < 100000; ++i) huge += "word ";
  EXPECT_FALSE(e.match("say " + huge));
  std::string numbers = "count";
  for (int i = 0; i < 60; ++i) numbers += " one";
  EXPECT_FALSE(e.match(numbers));
  EXPECT_FALSE(e.match(std::string("\0\xff\xfe garbage \x01", 13)));
}

}  // namespace
}  // namespace tektra
