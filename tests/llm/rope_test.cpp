#include "llm/rope.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace tektra::llm {
namespace {

ModelConfig config(RopeStyle style, int64_t dims = 8) {
  ModelConfig c;
  c.rope_style = style;
  c.rope_dims = dims;
  c.head_dim = dims;
  c.rope_base = 10000.0f;
  return c;
}

std::vector<float> angles(const Rope& rope, int64_t position) {
  std::vector<float> cos(static_cast<size_t>(rope.pairs())), sin(cos.size()), theta(cos.size());
  rope.angles(position, cos.data(), sin.data());
  for (size_t i = 0; i < cos.size(); ++i) theta[i] = std::atan2(sin[i], cos[i]);
  return theta;
}

TEST(Rope, PairsNeighboursOrHalves) {
  const std::vector<float> head = {1, 2, 3, 4, 5, 6, 7, 8};
  // Only pair 0 turns (by 90 degrees) when the angles are forced.
  const float cos[4] = {0, 1, 1, 1}, sin[4] = {1, 0, 0, 0};
  auto normal = head;
  Rope(config(RopeStyle::Normal), {}).rotate(normal.data(), cos, sin);
  EXPECT_EQ(normal, (std::vector<float>{-2, 1, 3, 4, 5, 6, 7, 8}));
  auto neox = head;
  Rope(config(RopeStyle::Neox), {}).rotate(neox.data(), cos, sin);
  EXPECT_EQ(neox, (std::vector<float>{-5, 2, 3, 4, 1, 6, 7, 8}));
}

TEST(Rope, AnglesFollowThePositionAndBase) {
  const Rope rope(config(RopeStyle::Normal), {});
  const auto theta = angles(rope, 3);
  for (int i = 0; i < 4; ++i) {
    const double expected =
        std::remainder(3.0 * std::pow(10000.0, -2.0 * i / 8), 2 * std::numbers::pi);
    EXPECT_NEAR(theta[static_cast<size_t>(i)], expected, 1e-5) << i;
  }
}

TEST(Rope, LinearScalingStretchesPositions) {
  ModelConfig c = config(RopeStyle::Normal);
  c.rope_scaling = RopeScaling::Linear;
  c.rope_scale_factor = 4.0f;
  const auto scaled = angles(Rope(c, {}), 8);
  const auto plain = angles(Rope(config(RopeStyle::Normal), {}), 2);
  for (size_t i = 0; i < plain.size(); ++i) EXPECT_NEAR(scaled[i], plain[i], 1e-5) << i;
}

TEST(Rope, FrequencyFactorsDivideEachPairsAngle) {
  const auto factored = angles(Rope(config(RopeStyle::Neox), {1, 2, 4, 8}), 16);
  const auto plain = angles(Rope(config(RopeStyle::Neox), {}), 16);
  const auto at_half = angles(Rope(config(RopeStyle::Neox), {}), 8);
  EXPECT_NEAR(factored[0], plain[0], 1e-5);
  EXPECT_NEAR(factored[1], at_half[1], 1e-5);  // 16 / 2 = 8
}

// YaRN keeps fast-turning (low) pairs unscaled, interpolates slow (high) pairs by the factor, and
// scales the magnitude by 1 + 0.1 ln(factor).
TEST(Rope, YarnMixesExtrapolationAndInterpolation) {
  ModelConfig c = config(RopeStyle::Neox, 64);
  c.rope_scaling = RopeScaling::Yarn;
  c.rope_scale_factor = 4.0f;
  c.rope_original_ctx = 4096;
  const Rope yarn(c, {});
  const Rope plain(config(RopeStyle::Neox, 64), {});
  std::vector<float> cos(32), sin(32), pcos(32), psin(32);
  yarn.angles(100, cos.data(), sin.data());
  plain.angles(100, pcos.data(), psin.data());
  const float magnitude = 1.0f + 0.1f * std::log(4.0f);
  EXPECT_NEAR(std::hypot(cos[5], sin[5]), magnitude, 1e-5);
  EXPECT_NEAR(cos[0] / magnitude, pcos[0], 1e-5);  // pair 0 turns fastest: unscaled
  std::vector<float> qcos(32), qsin(32);
  plain.angles(25, qcos.data(), qsin.data());        // position 100 / 4
  EXPECT_NEAR(cos[31] / magnitude, qcos[31], 1e-5);  // the slowest pair: interpolated
  std::vector<float> rcos(32), rsin(32);
  yarn.angles(100, rcos.data(), rsin.data(), /*magnitude=*/false);
  EXPECT_NEAR(std::hypot(rcos[5], rsin[5]), 1.0f, 1e-6);
}

}  // namespace
}  // namespace tektra::llm
