// Reply phrasing: times, dates, numbers, lists, pronouns.
#include "agent/spoken.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tektra {
namespace {

TEST(Spoken, TimesReadLikeAClock) {
  EXPECT_EQ(spoken_time(15, 10), "ten past three in the afternoon");
  EXPECT_EQ(spoken_time(15, 0), "three o'clock in the afternoon");
  EXPECT_EQ(spoken_time(9, 15), "quarter past nine in the morning");
  EXPECT_EQ(spoken_time(9, 30), "half past nine in the morning");
  EXPECT_EQ(spoken_time(9, 45), "quarter to ten in the morning");
  EXPECT_EQ(spoken_time(18, 40), "twenty to seven in the evening");
  EXPECT_EQ(spoken_time(15, 23), "three twenty-three in the afternoon");
  EXPECT_EQ(spoken_time(7, 7), "seven oh seven in the morning");
  EXPECT_EQ(spoken_time(0, 0), "midnight");
  EXPECT_EQ(spoken_time(12, 0), "noon");
  EXPECT_EQ(spoken_time(11, 45), "quarter to twelve in the morning");
  EXPECT_EQ(spoken_time(23, 50), "ten to twelve at night");
  EXPECT_EQ(spoken_time(0, 5), "five past twelve at night");
  EXPECT_EQ(spoken_time(12, 30), "half past twelve in the afternoon");
  EXPECT_EQ(spoken_time(12, 5), "five past twelve in the afternoon");
  EXPECT_EQ(spoken_time(22, 3), "ten oh three at night");
}

TEST(Spoken, DatesAndYears) {
  EXPECT_EQ(spoken_date(2, 14, 5, 2024), "Tuesday the fourteenth of May, twenty twenty-four");
  EXPECT_EQ(spoken_date(0, 1, 1, 2000), "Sunday the first of January, two thousand");
  EXPECT_EQ(year_words(2005), "two thousand and five");
  EXPECT_EQ(year_words(1984), "nineteen eighty-four");
  EXPECT_EQ(year_words(1900), "nineteen hundred");
  EXPECT_EQ(year_words(1905), "nineteen oh five");
  EXPECT_EQ(year_words(2100), "twenty-one hundred");
}

TEST(Spoken, NumbersForReplies) {
  EXPECT_EQ(spoken_number(84), "84");
  EXPECT_EQ(spoken_number(-3), "-3");
  EXPECT_EQ(spoken_number(2.5), "2.5");
  EXPECT_EQ(spoken_number(1.0 / 3.0), "about 0.3333");
  EXPECT_EQ(spoken_number(-2.0 / 3.0), "about -0.6667");
  EXPECT_EQ(spoken_number(1e-9), "about 0");
  EXPECT_EQ(spoken_number(123456789012345), "123456789012345");
  EXPECT_EQ(spoken_number(1.5e20), "about 1.5 times ten to the power of 20");
  EXPECT_EQ(spoken_number(-1e300), "about -1 times ten to the power of 300");
  EXPECT_EQ(spoken_number(9.9999e20), "about 1 times ten to the power of 21");
  EXPECT_EQ(spoken_number(INFINITY), "infinity");
  EXPECT_EQ(spoken_number(NAN), "not a number");
}

TEST(Spoken, JoinsLists) {
  EXPECT_EQ(join_words({}), "");
  EXPECT_EQ(join_words({"a"}), "a");
  EXPECT_EQ(join_words({"a", "b"}), "a and b");
  EXPECT_EQ(join_words({"a", "b", "c"}), "a, b and c");
}

TEST(Spoken, FlipsPronouns) {
  EXPECT_EQ(flip_pronouns("my favourite colour"), "your favourite colour");
  EXPECT_EQ(flip_pronouns("My keys are in my bag"), "your keys are in your bag");
  EXPECT_EQ(flip_pronouns("the one I am reading"), "the one you are reading");
  EXPECT_EQ(flip_pronouns("mine not yours"), "yours not mine");
  EXPECT_EQ(flip_pronouns("Bob"), "Bob");
  EXPECT_EQ(flip_pronouns(""), "");
}

TEST(Spoken, ChoosesIsOrAre) {
  EXPECT_EQ(copula_for("my keys"), "are");
  EXPECT_EQ(copula_for("my glasses"), "are");
  EXPECT_EQ(copula_for("my name"), "is");
  EXPECT_EQ(copula_for("my address"), "is");
  EXPECT_EQ(copula_for("my bus"), "is");
  EXPECT_EQ(copula_for("my wife's birthday"), "is");
}

TEST(Spoken, Capitalizes) {
  EXPECT_EQ(capitalize("tea timer"), "Tea timer");
  EXPECT_EQ(capitalize(""), "");
  EXPECT_EQ(capitalize("1 thing"), "1 thing");
}

}  // namespace
}  // namespace tektra
