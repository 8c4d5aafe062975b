// Turning decoder paths and hypotheses into transcript words.
#include "stt/path_words.h"

#include <gtest/gtest.h>

namespace tektra {
namespace {

const std::set<std::string> kFillers = {"<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]"};

TEST(PathWords, BaseWordStripsOnlyAlternatePronunciationNumbers) {
  EXPECT_EQ(base_word("what(2)"), "what");
  EXPECT_EQ(base_word("for(13)"), "for");
  EXPECT_EQ(base_word("what"), "what");
  EXPECT_EQ(base_word("(NULL)"), "(NULL)");
  EXPECT_EQ(base_word("smile(s)"), "smile(s)");
  EXPECT_EQ(base_word("a()"), "a()");
}

TEST(PathWords, SpokenWordsDropFillersAndTimeWordsByFrames) {
  const std::vector<Segment> path = {{"<s>", 0, 9, 0, 1},         {"<sil>", 10, 44, 0, 1},
                                     {"What(2)", 45, 70, 0, 0.9}, {"(NULL)", 71, 71, 0, 1},
                                     {"[NOISE]", 71, 80, 0, 1},   {"time", 81, 110, 0, 0.4},
                                     {"</s>", 111, 120, 0, 1}};
  const auto words =
      spoken_words(path, kFillers, 0.01, [](const Segment& segment) { return segment.posterior; });
  ASSERT_EQ(words.size(), 2u);
  EXPECT_EQ(words[0].word, "what");
  EXPECT_DOUBLE_EQ(words[0].start_s, 0.45);
  EXPECT_DOUBLE_EQ(words[0].end_s, 0.71);
  EXPECT_DOUBLE_EQ(words[0].confidence, 0.9);
  EXPECT_EQ(words[1].word, "time");
  EXPECT_DOUBLE_EQ(words[1].start_s, 0.81);
  EXPECT_DOUBLE_EQ(words[1].end_s, 1.11);
  EXPECT_EQ(words_text(words), "what time");
  EXPECT_EQ(words_text({}), "");
}

TEST(PathWords, HypothesisTextIsNormalisedLikeTheWords) {
  EXPECT_EQ(hypothesis_text("  go Forward(2) [NOISE]  ten <sil> meters ", kFillers),
            "go forward ten meters");
  EXPECT_EQ(hypothesis_text("", kFillers), "");
  EXPECT_EQ(hypothesis_text("<sil> [SPEECH]", kFillers), "");
}

}  // namespace
}  // namespace tektra
