// The word error rate helper the recognition tests rely on.
#include <gtest/gtest.h>

#include "stt_test_support.h"

namespace tektra {
namespace {

using test::word_error_rate;

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

}  // namespace
}  // namespace tektra
