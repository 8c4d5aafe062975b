// ITU-T G.711 mu-law and A-law companding (bit-exact with the G.191 reference implementation).
#pragma once

#include <cstdint>
#include <span>

namespace tektra {

// Single samples. Encoders take the full 16-bit range (mu-law uses the top 14 bits, A-law the
// top 13); decoders return the segment midpoints on the 16-bit scale (mu-law +-32124, A-law
// +-32256 at most).
uint8_t mulaw_encode(int16_t sample);
int16_t mulaw_decode(uint8_t code);
uint8_t alaw_encode(int16_t sample);
int16_t alaw_decode(uint8_t code);

// Element-wise into `out`, which must have the input's length (Error("invalid_audio") if not).
void mulaw_encode(std::span<const int16_t> pcm, std::span<uint8_t> out);
void mulaw_decode(std::span<const uint8_t> codes, std::span<int16_t> out);
void alaw_encode(std::span<const int16_t> pcm, std::span<uint8_t> out);
void alaw_decode(std::span<const uint8_t> codes, std::span<int16_t> out);

}  // namespace tektra
