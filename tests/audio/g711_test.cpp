// G.711: exhaustive agreement with a literal port of the ITU G.191 reference, known code values,
// quantization error bounds and code stability.
#include "audio/g711.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace tektra {
namespace {

// Scalar references transcribed from ITU-T G.191 (STL g711.c), loops and all, kept deliberately
// different in form from the implementation under test.
uint8_t reference_alaw_compress(int16_t linear) {
  int16_t ix =
      linear < 0 ? static_cast<int16_t>((~linear) >> 4) : static_cast<int16_t>(linear >> 4);
  if (ix > 15) {
    int16_t iexp = 1;
    while (ix > 16 + 15) {
      ix >>= 1;
      iexp++;
    }
    ix -= 16;
    ix += iexp << 4;
  }
  if (linear >= 0) ix |= 0x0080;
  return static_cast<uint8_t>(ix ^ 0x0055);
}

uint8_t reference_ulaw_compress(int16_t linear) {
  int16_t absno = linear < 0 ? static_cast<int16_t>(((~linear) >> 2) + 33)
                             : static_cast<int16_t>((linear >> 2) + 33);
  if (absno > 0x1FFF) absno = 0x1FFF;
  int16_t i = absno >> 6;
  int16_t segno = 1;
  while (i != 0) {
    segno++;
    i >>= 1;
  }
  int16_t high_nibble = 0x0008 - segno;
  int16_t low_nibble = 0x000F - ((absno >> segno) & 0x000F);
  int16_t log = static_cast<int16_t>((high_nibble << 4) | low_nibble);
  if (linear >= 0) log |= 0x0080;
  return static_cast<uint8_t>(log);
}

int16_t reference_alaw_expand(uint8_t log) {
  int16_t ix = log ^ 0x0055;
  ix &= 0x007F;
  int16_t iexp = ix >> 4;
  int16_t mant = ix & 0x000F;
  if (iexp > 0) mant = mant + 16;
  mant = static_cast<int16_t>((mant << 4) + 0x0008);
  if (iexp > 1) mant = static_cast<int16_t>(mant << (iexp - 1));
  return log > 127 ? mant : static_cast<int16_t>(-mant);
}

int16_t reference_ulaw_expand(uint8_t log) {
  int sign = log < 0x0080 ? -1 : 1;
  int mantissa = ~log;
  int exponent = (mantissa >> 4) & 0x0007;
  int segment = exponent + 1;
  mantissa = mantissa & 0x000F;
  int step = 4 << segment;
  return static_cast<int16_t>(sign * ((0x0080 << exponent) + step * mantissa + step / 2 - 4 * 33));
}

TEST(G711, MatchesTheItuReferenceForEveryInput) {
  for (int x = -32768; x <= 32767; ++x) {
    auto s = static_cast<int16_t>(x);
    ASSERT_EQ(mulaw_encode(s), reference_ulaw_compress(s)) << x;
    ASSERT_EQ(alaw_encode(s), reference_alaw_compress(s)) << x;
  }
  for (int code = 0; code < 256; ++code) {
    auto c = static_cast<uint8_t>(code);
    ASSERT_EQ(mulaw_decode(c), reference_ulaw_expand(c)) << code;
    ASSERT_EQ(alaw_decode(c), reference_alaw_expand(c)) << code;
  }
}

TEST(G711, KnownMulawValues) {
  EXPECT_EQ(mulaw_encode(0), 0xFF);
  EXPECT_EQ(mulaw_encode(-1), 0x7F);
  EXPECT_EQ(mulaw_encode(32767), 0x80);
  EXPECT_EQ(mulaw_encode(-32768), 0x00);
  EXPECT_EQ(mulaw_encode(1000), 0xCE);
  EXPECT_EQ(mulaw_decode(0xFF), 0);
  EXPECT_EQ(mulaw_decode(0x7F), 0);
  EXPECT_EQ(mulaw_decode(0xFE), 8);
  EXPECT_EQ(mulaw_decode(0xF0), 120);
  EXPECT_EQ(mulaw_decode(0xEF), 132);
  EXPECT_EQ(mulaw_decode(0x81), 31100);
  EXPECT_EQ(mulaw_decode(0x80), 32124);
  EXPECT_EQ(mulaw_decode(0x00), -32124);
}

TEST(G711, KnownAlawValues) {
  EXPECT_EQ(alaw_encode(0), 0xD5);
  EXPECT_EQ(alaw_encode(-1), 0x55);
  EXPECT_EQ(alaw_encode(32767), 0xAA);
  EXPECT_EQ(alaw_encode(-32768), 0x2A);
  EXPECT_EQ(alaw_encode(1000), 0xFA);
  EXPECT_EQ(alaw_decode(0xD5), 8);
  EXPECT_EQ(alaw_decode(0x55), -8);
  EXPECT_EQ(alaw_decode(0x80), 5504);
  EXPECT_EQ(alaw_decode(0x00), -5504);
  EXPECT_EQ(alaw_decode(0xAA), 32256);
  EXPECT_EQ(alaw_decode(0x2A), -32256);
}

// Half the quantization step of the segment a code lies in, on the 16-bit scale.
int mulaw_half_step(uint8_t code) {
  return 4 << ((~code >> 4) & 7);
}
int alaw_half_step(uint8_t code) {
  int exponent = ((code ^ 0x55) >> 4) & 7;
  return 8 << std::max(0, exponent - 1);
}

TEST(G711, RoundTripErrorIsWithinHalfAStep) {
  for (int x = -32768; x <= 32767; ++x) {
    auto s = static_cast<int16_t>(x);
    uint8_t mu = mulaw_encode(s);
    int mu_error = std::abs(mulaw_decode(mu) - x);
    // Above the top decision level (+-32124 + half step) mu-law clips.
    if (std::abs(x) <= 32124 + mulaw_half_step(mu)) {
      ASSERT_LE(mu_error, mulaw_half_step(mu)) << x;
    } else {
      ASSERT_EQ(std::abs(mulaw_decode(mu)), 32124) << x;
    }
    uint8_t a = alaw_encode(s);
    ASSERT_LE(std::abs(alaw_decode(a) - x), alaw_half_step(a)) << x;
  }
}

TEST(G711, DecodedValuesGrowWithTheInput) {
  int previous_mu = -32768;
  int previous_a = -32768;
  for (int x = -32768; x <= 32767; ++x) {
    int mu = mulaw_decode(mulaw_encode(static_cast<int16_t>(x)));
    int a = alaw_decode(alaw_encode(static_cast<int16_t>(x)));
    ASSERT_GE(mu, previous_mu) << x;
    ASSERT_GE(a, previous_a) << x;
    previous_mu = mu;
    previous_a = a;
  }
}

TEST(G711, EveryCodeSurvivesDecodeThenEncode) {
  for (int code = 0; code < 256; ++code) {
    auto c = static_cast<uint8_t>(code);
    EXPECT_EQ(alaw_encode(alaw_decode(c)), c) << code;
    // mu-law has two zeros; negative zero (0x7F) decodes to 0, which encodes as positive zero.
    EXPECT_EQ(mulaw_encode(mulaw_decode(c)), c == 0x7F ? 0xFF : c) << code;
  }
}

TEST(G711, SpanVersionsMatchSingleSamplesAndCheckSizes) {
  std::vector<int16_t> pcm = {0, 1, -1, 100, -100, 5000, -5000, 32767, -32768};
  std::vector<uint8_t> mu(pcm.size());
  std::vector<uint8_t> a(pcm.size());
  mulaw_encode(pcm, mu);
  alaw_encode(pcm, a);
  std::vector<int16_t> mu_back(pcm.size());
  std::vector<int16_t> a_back(pcm.size());
  mulaw_decode(mu, mu_back);
  alaw_decode(a, a_back);
  for (size_t i = 0; i < pcm.size(); ++i) {
    EXPECT_EQ(mu[i], mulaw_encode(pcm[i]));
    EXPECT_EQ(a[i], alaw_encode(pcm[i]));
    EXPECT_EQ(mu_back[i], mulaw_decode(mu[i]));
    EXPECT_EQ(a_back[i], alaw_decode(a[i]));
  }
  std::vector<uint8_t> short_codes(pcm.size() - 1);
  std::vector<int16_t> long_pcm(mu.size() + 1);
  EXPECT_THROW(mulaw_encode(pcm, short_codes), Error);
  EXPECT_THROW(alaw_encode(pcm, short_codes), Error);
  EXPECT_THROW(mulaw_decode(mu, long_pcm), Error);
  EXPECT_THROW(alaw_decode(a, long_pcm), Error);
}

}  // namespace
}  // namespace tektra
