// Spoken durations: the <duration> slot parser and reply phrasing.
#include "agent/duration_words.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace tektra {
namespace {

std::optional<double> parse(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string w; in >> w;) words.push_back(w);
  return parse_duration(words);
}

TEST(DurationWords, ParsesSpokenDurations) {
  EXPECT_EQ(parse("five minutes"), 300);
  EXPECT_EQ(parse("one minute"), 60);
  EXPECT_EQ(parse("a minute"), 60);
  EXPECT_EQ(parse("an hour"), 3600);
  EXPECT_EQ(parse("90 seconds"), 90);
  EXPECT_EQ(parse("1.5 hours"), 5400);
  EXPECT_EQ(parse("5 mins"), 300);
  EXPECT_EQ(parse("twenty five minutes"), 1500);
  EXPECT_EQ(parse("one hour and thirty seconds"), 3630);
  EXPECT_EQ(parse("one hour thirty minutes"), 5400);
  EXPECT_EQ(parse("two hours five minutes and ten seconds"), 7510);
  EXPECT_EQ(parse("an hour and a half"), 5400);
  EXPECT_EQ(parse("a minute and a half"), 90);
  EXPECT_EQ(parse("two and a half minutes"), 150);
  EXPECT_EQ(parse("half an hour"), 1800);
  EXPECT_EQ(parse("half a minute"), 30);
  EXPECT_EQ(parse("a half hour"), 1800);
  EXPECT_EQ(parse("a quarter of an hour"), 900);
  EXPECT_EQ(parse("three quarters of an hour"), 2700);
  EXPECT_EQ(parse("an hour and a minute"), 3660);
  EXPECT_EQ(parse("one hundred and twenty seconds"), 120);
  EXPECT_EQ(parse("zero seconds"), 0);
}

TEST(DurationWords, RejectsWhatIsNotExactlyOneDuration) {
  for (const char* bad : {"", "minutes", "five", "five minutes and", "and five minutes",
                          "five apples", "five seconds two minutes", "five minutes five minutes",
                          "minus five minutes", "five minutes please", "a", "half",
                          "quarter of a minute hour", "two halves of an hour", "one two minutes"}) {
    EXPECT_EQ(parse(bad), std::nullopt) << bad;
  }
}

TEST(DurationWords, SpellsDurations) {
  EXPECT_EQ(duration_words(0), "zero seconds");
  EXPECT_EQ(duration_words(1), "one second");
  EXPECT_EQ(duration_words(300), "five minutes");
  EXPECT_EQ(duration_words(90), "one minute and thirty seconds");
  EXPECT_EQ(duration_words(3630), "one hour and thirty seconds");
  EXPECT_EQ(duration_words(3661), "one hour, one minute and one second");
  EXPECT_EQ(duration_words(7200), "two hours");
}

TEST(DurationWords, SpellsCompoundAdjectives) {
  EXPECT_EQ(duration_adjective(300), "five minute");
  EXPECT_EQ(duration_adjective(5400), "one hour thirty minute");
  EXPECT_EQ(duration_adjective(45), "forty-five second");
}

}  // namespace
}  // namespace tektra
