// word_error_rate: substitutions, deletions and insertions over normalised words.
#include "stt/word_error_rate.h"

#include <gtest/gtest.h>

namespace tektra {
namespace {

TEST(WordErrorRate, CountsSubstitutionsDeletionsAndInsertions) {
  EXPECT_DOUBLE_EQ(word_error_rate("go forward ten meters", "go forward ten meters"), 0.0);
  EXPECT_DOUBLE_EQ(word_error_rate("go forward ten meters", "go forward two meters"), 0.25);
  EXPECT_DOUBLE_EQ(word_error_rate("go forward ten meters", "go forward meters"), 0.25);
  EXPECT_DOUBLE_EQ(word_error_rate("go forward ten meters", "go go forward ten meters now"), 0.5);
  EXPECT_DOUBLE_EQ(word_error_rate("he was not an ill disposed young man",
                                   "he was not an illness those young man"),
                   0.25);
  EXPECT_DOUBLE_EQ(word_error_rate("a b", ""), 1.0);
  EXPECT_DOUBLE_EQ(word_error_rate("", ""), 0.0);
}

TEST(WordErrorRate, CountsEditsOverReferenceWords) {
  EXPECT_DOUBLE_EQ(word_error_rate("what day is it today", "what day is it today"), 0.0);
  EXPECT_DOUBLE_EQ(word_error_rate("What day is it, today?", "what day is it today"), 0.0);
  // "day" deleted, "it" read as "date".
  EXPECT_DOUBLE_EQ(word_error_rate("what day is it today", "what is date today"), 0.4);
  EXPECT_DOUBLE_EQ(word_error_rate("go forward ten meters", "go forward"), 0.5);
  EXPECT_DOUBLE_EQ(word_error_rate("go forward", "go go forward now"), 1.0);
  EXPECT_DOUBLE_EQ(word_error_rate("go forward", ""), 1.0);
  EXPECT_DOUBLE_EQ(word_error_rate("", ""), 0.0);
  EXPECT_DOUBLE_EQ(word_error_rate("", "noise"), 1.0);
}

TEST(WordErrorRate, WordsAreLowerCasedWithoutPunctuation) {
  EXPECT_EQ(words_of("And so, my fellow Americans: don't!"),
            (std::vector<std::string>{"and", "so", "my", "fellow", "americans", "don't"}));
}

}  // namespace
}  // namespace tektra
