#include "llm/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace tektra::llm {
namespace {

SamplingParams greedy() {
  SamplingParams p;
  p.temperature = 0;
  return p;
}

TEST(Sampler, GreedyTakesTheFirstMaximum) {
  Sampler s(greedy(), 5);
  const std::vector<float> logits = {0.5f, 2.0f, -1.0f, 2.0f, 1.0f};
  EXPECT_EQ(s.sample(logits), 1);
}

TEST(Sampler, TopKOfOneIsGreedyAtAnyTemperature) {
  SamplingParams p;
  p.temperature = 5.0f;
  p.top_k = 1;
  p.seed = 3;
  Sampler s(p, 4);
  const std::vector<float> logits = {0.1f, 0.2f, 0.3f, 0.25f};
  for (int i = 0; i < 50; ++i) EXPECT_EQ(s.sample(logits), 2);
}

TEST(Sampler, RepetitionPenaltyMovesAwayFromRecentTokens) {
  SamplingParams p = greedy();
  p.repeat_penalty = 2.0f;
  Sampler s(p, 3);
  const std::vector<float> logits = {3.0f, 2.0f, -1.0f};
  EXPECT_EQ(s.sample(logits), 0);
  s.accept(0);  // 3.0 / 2 = 1.5 < 2.0
  EXPECT_EQ(s.sample(logits), 1);
}

TEST(Sampler, PenaltiesForgetTokensOutsideTheWindow) {
  SamplingParams p = greedy();
  p.presence_penalty = 10.0f;
  p.penalty_last_n = 2;
  Sampler s(p, 3);
  const std::vector<float> logits = {3.0f, 2.0f, 1.0f};
  s.accept(0);
  EXPECT_EQ(s.sample(logits), 1);
  s.accept(2);
  s.accept(2);  // token 0 has left the window of two
  EXPECT_EQ(s.sample(logits), 0);
}

TEST(Sampler, FrequencyPenaltyGrowsWithCount) {
  SamplingParams p = greedy();
  p.frequency_penalty = 0.6f;
  Sampler s(p, 2);
  const std::vector<float> logits = {1.0f, 0.0f};
  s.accept(0);
  EXPECT_EQ(s.sample(logits), 0);  // 1.0 - 0.6 > 0
  s.accept(0);
  EXPECT_EQ(s.sample(logits), 1);  // 1.0 - 1.2 < 0
}

// With no truncation, draws follow softmax(logits / temperature).
TEST(Sampler, DrawsFollowTheDistribution) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.seed = 11;
  Sampler s(p, 3);
  const std::vector<float> logits = {0.0f, std::log(2.0f), std::log(5.0f)};  // 1 : 2 : 5
  std::map<int, int> counts;
  const int n = 16000;
  for (int i = 0; i < n; ++i) ++counts[s.sample(logits)];
  EXPECT_NEAR(counts[0] / double(n), 1 / 8.0, 0.015);
  EXPECT_NEAR(counts[1] / double(n), 2 / 8.0, 0.015);
  EXPECT_NEAR(counts[2] / double(n), 5 / 8.0, 0.015);
}

TEST(Sampler, TopPAndMinPCutTheTail) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.seed = 5;
  const std::vector<float> logits = {std::log(0.6f), std::log(0.3f), std::log(0.1f)};
  p.top_p = 0.85f;  // 0.6 + 0.3 reaches it: token 2 never drawn
  p.min_p = 0.0f;
  Sampler top_p(p, 3);
  for (int i = 0; i < 500; ++i) EXPECT_NE(top_p.sample(logits), 2);
  p.top_p = 1.0f;
  p.min_p = 0.6f;  // 0.3 < 0.6 * 0.6: only token 0 survives
  Sampler min_p(p, 3);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(min_p.sample(logits), 0);
}

TEST(Sampler, SameSeedSameDraws) {
  SamplingParams p;
  p.seed = 99;
  p.top_k = 0;
  p.min_p = 0;
  Sampler a(p, 4), b(p, 4);
  const std::vector<float> logits = {0.1f, 0.2f, 0.3f, 0.4f};
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.sample(logits), b.sample(logits));
  a.reset();
  Sampler c(p, 4);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(a.sample(logits), c.sample(logits));
}

TEST(Sampler, AMaskLimitsTheDrawToAllowedTokens) {
  const std::vector<float> logits = {5.0f, 1.0f, 4.0f, 0.5f};
  const std::vector<uint8_t> allowed = {0, 1, 1, 0};
  Sampler greedy_sampler(greedy(), 4);
  EXPECT_EQ(greedy_sampler.sample(logits, allowed), 2);  // the best allowed, not the best
  SamplingParams p;
  p.temperature = 2.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.seed = 11;
  Sampler hot(p, 4);
  std::map<int32_t, int> seen;
  for (int i = 0; i < 300; ++i) ++seen[hot.sample(logits, allowed)];
  EXPECT_EQ(seen.size(), 2u);  // both allowed tokens, never another
  EXPECT_GT(seen[1], 0);
  EXPECT_GT(seen[2], 0);
  EXPECT_EQ(hot.sample(logits, std::vector<uint8_t>(4, 0)), -1);  // nothing allowed
}

}  // namespace
}  // namespace tektra::llm
