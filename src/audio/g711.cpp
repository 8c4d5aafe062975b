// G.711 companding per ITU-T G.711 / G.191: segment search for encoding, tables for decoding.
#include "audio/g711.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>

#include "core/error.h"

namespace tektra {
namespace {

// Negative samples are folded with one's complement (~x), not negation, as G.191 does; this
// keeps -1 in the lowest negative step and gives -32768 a magnitude that fits.
uint16_t folded_magnitude(int16_t sample) {
  return static_cast<uint16_t>(sample < 0 ? ~sample : sample);
}

constexpr int16_t mulaw_value(uint8_t code) {
  uint8_t bits = static_cast<uint8_t>(~code);
  int exponent = (bits >> 4) & 7;
  int mantissa = bits & 0x0F;
  // Segment midpoint: (2m + 33) * 2^(e+2) minus the 132 bias that made segments uniform.
  int magnitude = ((2 * mantissa + 33) << (exponent + 2)) - 132;
  return static_cast<int16_t>(code & 0x80 ? magnitude : -magnitude);
}

constexpr int16_t alaw_value(uint8_t code) {
  uint8_t bits = code ^ 0x55;  // A-law transmits with the even bits inverted
  int exponent = (bits >> 4) & 7;
  int mantissa = bits & 0x0F;
  int magnitude = exponent == 0 ? (mantissa << 4) + 8 : ((mantissa + 16) << 4) + 8;
  if (exponent > 1) magnitude <<= exponent - 1;
  return static_cast<int16_t>(code & 0x80 ? magnitude : -magnitude);
}

template <int16_t (*Decode)(uint8_t)>
constexpr std::array<int16_t, 256> decode_table() {
  std::array<int16_t, 256> table{};
  for (int code = 0; code < 256; ++code) table[code] = Decode(static_cast<uint8_t>(code));
  return table;
}

constexpr auto kMulawTable = decode_table<mulaw_value>();
constexpr auto kAlawTable = decode_table<alaw_value>();

void check_sizes(size_t in, size_t out) {
  if (in != out) {
    throw Error("invalid_audio",
                fmt::format("G.711 output holds {} samples, input has {}", out, in));
  }
}

}  // namespace

uint8_t mulaw_encode(int16_t sample) {
  // 14-bit magnitude plus the bias of 33 that aligns the segment boundaries on powers of two.
  unsigned magnitude = std::min((folded_magnitude(sample) >> 2) + 33u, 0x1FFFu);
  unsigned exponent = static_cast<unsigned>(std::bit_width(magnitude >> 6));
  unsigned mantissa = (magnitude >> (exponent + 1)) & 0x0F;
  unsigned code = ((exponent << 4) | mantissa) ^ 0x7F;
  return static_cast<uint8_t>(sample >= 0 ? code | 0x80 : code);
}

int16_t mulaw_decode(uint8_t code) {
  return kMulawTable[code];
}

uint8_t alaw_encode(int16_t sample) {
  unsigned magnitude = folded_magnitude(sample) >> 4;  // 12-bit magnitude
  unsigned code = magnitude;
  if (magnitude > 15) {
    unsigned exponent = static_cast<unsigned>(std::bit_width(magnitude)) - 4;
    code = (exponent << 4) | ((magnitude >> (exponent - 1)) & 0x0F);
  }
  if (sample >= 0) code |= 0x80;
  return static_cast<uint8_t>(code ^ 0x55);
}

int16_t alaw_decode(uint8_t code) {
  return kAlawTable[code];
}

void mulaw_encode(std::span<const int16_t> pcm, std::span<uint8_t> out) {
  check_sizes(pcm.size(), out.size());
  for (size_t i = 0; i < pcm.size(); ++i) out[i] = mulaw_encode(pcm[i]);
}

void mulaw_decode(std::span<const uint8_t> codes, std::span<int16_t> out) {
  check_sizes(codes.size(), out.size());
  for (size_t i = 0; i < codes.size(); ++i) out[i] = kMulawTable[codes[i]];
}

void alaw_encode(std::span<const int16_t> pcm, std::span<uint8_t> out) {
  check_sizes(pcm.size(), out.size());
  for (size_t i = 0; i < pcm.size(); ++i) out[i] = alaw_encode(pcm[i]);
}

void alaw_decode(std::span<const uint8_t> codes, std::span<int16_t> out) {
  check_sizes(codes.size(), out.size());
  for (size_t i = 0; i < codes.size(); ++i) out[i] = kAlawTable[codes[i]];
}

}  // namespace tektra
