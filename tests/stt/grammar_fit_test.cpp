// Scoring how well a grammar path explains an utterance, on hand-made paths.
#include "stt/grammar_fit.h"

#include <gtest/gtest.h>

namespace tektra {
namespace {

const std::set<std::string> kFillers = {"<s>", "</s>", "<sil>", "[NOISE]"};

Segment segment(const std::string& word, int first, int last, double nats_per_frame) {
  return {word, first, last, nats_per_frame * (last - first + 1), 1.0};
}

TEST(GrammarFit, ConfidenceIsALogisticAroundTheMeasuredBoundary) {
  EXPECT_NEAR(fit_confidence(-5.7), 0.5, 1e-12);
  EXPECT_GT(fit_confidence(-4.3), 0.93);  // worst in-grammar utterance measured
  EXPECT_LT(fit_confidence(-7.1), 0.06);  // best out-of-grammar utterance measured
  EXPECT_LT(fit_confidence(-6.5), 0.2);
  EXPECT_GT(fit_confidence(-6.3), 0.2);
  EXPECT_LT(fit_confidence(-3.0), 1.0);
  EXPECT_GT(fit_confidence(-30.0), 0.0);
}

TEST(GrammarFit, AveragesWordsAndSilenceThatScoredLikeSpeech) {
  const std::vector<Segment> path = {
      segment("<sil>", 0, 49, -1.5),   // a real pause: left out
      segment("go", 50, 69, -3.0),     //
      segment("(NULL)", 70, 70, -50),  // null transitions carry no audio
      segment("forward", 70, 119, -4.0),
      segment("<sil>", 120, 219, -9.0),  // speech the grammar could not place
  };
  const GrammarFit fit = grammar_fit(path, kFillers);
  EXPECT_EQ(fit.speech_frames, 20 + 50 + 100);
  EXPECT_NEAR(fit.nats_per_frame, (20 * -3.0 + 50 * -4.0 + 100 * -9.0) / 170, 1e-9);
  EXPECT_DOUBLE_EQ(fit.confidence, fit_confidence(fit.nats_per_frame));
  EXPECT_LT(fit.confidence, 0.2);
}

TEST(GrammarFit, SilenceAloneIsNoSpeech) {
  const std::vector<Segment> path = {segment("<sil>", 0, 99, -1.0),
                                     segment("[NOISE]", 100, 120, -3.9)};
  const GrammarFit fit = grammar_fit(path, kFillers);
  EXPECT_EQ(fit.speech_frames, 0);
  EXPECT_EQ(fit.confidence, 0.0);
}

TEST(GrammarFit, SegmentConfidenceUsesTheSegmentsOwnFrames) {
  EXPECT_DOUBLE_EQ(segment_confidence(segment("go", 10, 29, -3.0)), fit_confidence(-3.0));
  EXPECT_DOUBLE_EQ(segment_confidence(segment("go", 10, 29, -9.0)), fit_confidence(-9.0));
}

}  // namespace
}  // namespace tektra
