// Wire encodings of speech audio (PCM16 little-endian, G.711 mu-law and A-law) to and from PCM.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tektra {

enum class AudioEncoding { Pcm16, Mulaw, Alaw };

// What a client sends or expects: encoding plus sample rate (mono).
struct AudioFormat {
  AudioEncoding encoding = AudioEncoding::Pcm16;
  int sample_rate = 16000;
  bool operator==(const AudioFormat&) const = default;
};

// Throws Error("invalid_audio") for PCM16 with an odd byte count.
std::vector<int16_t> decode_audio(std::span<const uint8_t> bytes, AudioEncoding encoding);
std::vector<uint8_t> encode_audio(std::span<const int16_t> pcm, AudioEncoding encoding);

}  // namespace tektra
