// Block formats: round-trip accuracy per type and dequantization of hand-built blocks.
#include "nn/quant.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "nn/fp16.h"

namespace tektra::nn {
namespace {

std::vector<float> gaussian(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) x = dist(rng);
  return v;
}

std::vector<float> round_trip(TensorType type, const std::vector<float>& x) {
  const auto n = static_cast<int64_t>(x.size());
  std::vector<uint8_t> q(row_bytes(type, n));
  quantize_row(type, x.data(), q.data(), n);
  std::vector<float> y(x.size());
  dequantize_row(type, q.data(), y.data(), n);
  return y;
}

struct RoundTripCase {
  TensorType type;
  // Bound on rms(error) / rms(x) for unit Gaussian data: about step / sqrt(12) / sigma with the
  // step each format gets (e.g. Q4_0: amax/8 with amax ~ 2.4 sigma per 32 values -> 0.087), set
  // ~20 % above the measured value. The K quants' scale search must beat the legacy formats of
  // the same bit width (Q4_K 0.071 vs Q4_1 0.077, Q5_K 0.036 vs Q5_1 0.037).
  double max_relative_rms;
};

class QuantRoundTrip : public testing::TestWithParam<RoundTripCase> {};

TEST_P(QuantRoundTrip, ErrorWithinBoundOfTheFormat) {
  const auto [type, bound] = GetParam();
  const auto x = gaussian(4096, 7);
  const auto y = round_trip(type, x);
  double err2 = 0, x2 = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_TRUE(std::isfinite(y[i])) << i;
    err2 += (x[i] - y[i]) * double(x[i] - y[i]);
    x2 += x[i] * double(x[i]);
  }
  const double rel = std::sqrt(err2 / x2);
  EXPECT_LE(rel, bound) << type_name(type);
  RecordProperty("relative_rms", std::to_string(rel));
}

TEST_P(QuantRoundTrip, ZerosStayZeros) {
  const auto type = GetParam().type;
  const std::vector<float> x(512, 0.0f);
  for (float v : round_trip(type, x)) EXPECT_EQ(v, 0.0f) << type_name(type);
}

TEST_P(QuantRoundTrip, RequantizingIsStable) {
  // Dequantized values lie on the grid the format chose, so quantizing them again must give
  // (nearly) the same values: a second round trip adds far less error than the first.
  const auto type = GetParam().type;
  const auto x = gaussian(1024, 11);
  const auto y = round_trip(type, x);
  const auto z = round_trip(type, y);
  double e1 = 0, e2 = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    e1 += (x[i] - y[i]) * double(x[i] - y[i]);
    e2 += (y[i] - z[i]) * double(y[i] - z[i]);
  }
  EXPECT_LE(e2, 0.25 * e1 + 1e-12) << type_name(type);
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, QuantRoundTrip,
    testing::Values(RoundTripCase{TensorType::F32, 0.0}, RoundTripCase{TensorType::F16, 2.5e-4},
                    RoundTripCase{TensorType::BF16, 2e-3}, RoundTripCase{TensorType::Q4_0, 0.10},
                    RoundTripCase{TensorType::Q4_1, 0.092}, RoundTripCase{TensorType::Q5_0, 0.05},
                    RoundTripCase{TensorType::Q5_1, 0.044}, RoundTripCase{TensorType::Q8_0, 0.0063},
                    RoundTripCase{TensorType::Q8_1, 0.0063}, RoundTripCase{TensorType::Q4_K, 0.085},
                    RoundTripCase{TensorType::Q5_K, 0.043}, RoundTripCase{TensorType::Q6_K, 0.021},
                    RoundTripCase{TensorType::Q8_K, 0.008}),
    [](const auto& info) { return std::string(type_name(info.param.type)); });

TEST(Quant, Q4_0ChoosesGgmlScaleAndNibbles) {
  // The element of largest magnitude (-4, the first of +-4) sets d = -4 / -8 = 0.5, and every
  // value x maps to nibble x / d + 8.
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = 0.5f * static_cast<float>((j % 16) - 8);
  BlockQ4_0 b;
  quantize_row(TensorType::Q4_0, x.data(), &b, 32);
  EXPECT_EQ(fp16_to_fp32(b.d), 0.5f);
  for (int j = 0; j < 16; ++j) EXPECT_EQ(b.qs[j], (j % 16) | ((j % 16) << 4)) << j;
}

TEST(Quant, DequantizeHandBuiltQ4_0) {
  BlockQ4_0 b;
  b.d = fp32_to_fp16(0.25f);
  for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
  float y[32];
  dequantize_row(TensorType::Q4_0, &b, y, 32);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(y[j], 0.25f * static_cast<float>(j - 8)) << j;            // low nibbles first
    EXPECT_EQ(y[j + 16], 0.25f * static_cast<float>(7 - j)) << j + 16;  // then high nibbles
  }
}

TEST(Quant, DequantizeHandBuiltQ8_0) {
  BlockQ8_0 b;
  b.d = fp32_to_fp16(-0.125f);
  for (int j = 0; j < 32; ++j) b.qs[j] = static_cast<int8_t>(j * 8 - 128);
  float y[32];
  dequantize_row(TensorType::Q8_0, &b, y, 32);
  for (int j = 0; j < 32; ++j) EXPECT_EQ(y[j], -0.125f * static_cast<float>(j * 8 - 128)) << j;
}

TEST(Quant, DequantizeHandBuiltQ4_K) {
  BlockQ4_K b{};
  b.d = fp32_to_fp16(0.5f);
  b.dmin = fp32_to_fp16(0.25f);
  // Sub-blocks 0-3 keep scale and min in the low 6 bits of bytes 0-3 and 4-7; sub-blocks 4-7
  // keep their low 4 bits in bytes 8-11 and their top 2 bits in the top bits of bytes 0-7.
  const uint8_t scale[8] = {1, 2, 3, 63, 5, 17, 33, 62};
  const uint8_t min[8] = {0, 4, 63, 9, 1, 20, 48, 63};
  for (int j = 0; j < 4; ++j) {
    b.scales[j] = static_cast<uint8_t>(scale[j] | ((scale[j + 4] >> 4) << 6));
    b.scales[j + 4] = static_cast<uint8_t>(min[j] | ((min[j + 4] >> 4) << 6));
    b.scales[j + 8] = static_cast<uint8_t>((scale[j + 4] & 0xF) | ((min[j + 4] & 0xF) << 4));
  }
  for (int i = 0; i < 128; ++i) b.qs[i] = static_cast<uint8_t>((i % 16) | ((15 - i % 16) << 4));
  std::vector<float> y(256);
  dequantize_row(TensorType::Q4_K, &b, y.data(), 256);
  for (int e = 0; e < 256; ++e) {
    const int sub = e / 32, l = e % 32;
    const int q = sub % 2 == 0 ? l % 16 : 15 - l % 16;  // byte 32*(sub/2) + l
    const float expected = 0.5f * scale[sub] * static_cast<float>(q) - 0.25f * min[sub];
    EXPECT_EQ(y[e], expected) << e;
  }
}

TEST(Quant, DequantizeHandBuiltQ6_K) {
  BlockQ6_K b{};
  b.d = fp32_to_fp16(0.5f);
  for (int g = 0; g < 16; ++g) b.scales[g] = static_cast<int8_t>(g % 2 == 0 ? g + 1 : -g);
  // Give element e the 6-bit value (e * 7) % 64, packed the Q6_K way.
  auto value = [](int e) { return (e * 7) % 64; };
  for (int h = 0; h < 2; ++h) {
    for (int l = 0; l < 32; ++l) {
      const int base = 128 * h + l;
      const int q0 = value(base), q1 = value(base + 32), q2 = value(base + 64),
                q3 = value(base + 96);
      b.ql[64 * h + l] = static_cast<uint8_t>((q0 & 0xF) | ((q2 & 0xF) << 4));
      b.ql[64 * h + l + 32] = static_cast<uint8_t>((q1 & 0xF) | ((q3 & 0xF) << 4));
      b.qh[32 * h + l] =
          static_cast<uint8_t>((q0 >> 4) | ((q1 >> 4) << 2) | ((q2 >> 4) << 4) | ((q3 >> 4) << 6));
    }
  }
  std::vector<float> y(256);
  dequantize_row(TensorType::Q6_K, &b, y.data(), 256);
  for (int e = 0; e < 256; ++e) {
    const float expected = 0.5f * b.scales[e / 16] * static_cast<float>(value(e) - 32);
    EXPECT_EQ(y[e], expected) << e;
  }
}

TEST(Quant, Q8_KKeepsBlockSums) {
  const auto x = gaussian(512, 3);
  std::vector<BlockQ8_K> q(2);
  quantize_row(TensorType::Q8_K, x.data(), q.data(), 512);
  for (const auto& b : q) {
    for (int j = 0; j < 16; ++j) {
      int sum = 0;
      for (int l = 0; l < 16; ++l) sum += b.qs[16 * j + l];
      EXPECT_EQ(b.bsums[j], sum);
    }
  }
}

TEST(Quant, RejectsTypesWithoutConversion) {
  float x[256] = {};
  uint8_t buf[512];
  EXPECT_THROW(quantize_row(TensorType::Q2_K, x, buf, 256), std::invalid_argument);
  EXPECT_THROW(dequantize_row(TensorType::Q3_K, buf, x, 256), std::invalid_argument);
}

}  // namespace
}  // namespace tektra::nn
