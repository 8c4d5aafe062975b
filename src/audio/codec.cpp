// Converts between wire bytes and PCM samples for each supported AudioEncoding.
#include "audio/codec.h"

#include <fmt/format.h>

#include "audio/g711.h"
#include "core/error.h"

namespace tektra {

std::vector<int16_t> decode_audio(std::span<const uint8_t> bytes, AudioEncoding encoding) {
  switch (encoding) {
    case AudioEncoding::Pcm16: {
      if (bytes.size() % 2 != 0) {
        throw Error("invalid_audio",
                    fmt::format("PCM16 audio has an odd byte count ({} bytes)", bytes.size()));
      }
      std::vector<int16_t> pcm(bytes.size() / 2);
      for (size_t i = 0; i < pcm.size(); ++i) {
        pcm[i] = static_cast<int16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
      }
      return pcm;
    }
    case AudioEncoding::Mulaw: {
      std::vector<int16_t> pcm(bytes.size());
      mulaw_decode(bytes, pcm);
      return pcm;
    }
    case AudioEncoding::Alaw: {
      std::vector<int16_t> pcm(bytes.size());
      alaw_decode(bytes, pcm);
      return pcm;
    }
  }
  throw Error("invalid_audio",
              fmt::format("unknown audio encoding {}", static_cast<int>(encoding)));
}

std::vector<uint8_t> encode_audio(std::span<const int16_t> pcm, AudioEncoding encoding) {
  switch (encoding) {
    case AudioEncoding::Pcm16: {
      std::vector<uint8_t> bytes(pcm.size() * 2);
      for (size_t i = 0; i < pcm.size(); ++i) {
        auto sample = static_cast<uint16_t>(pcm[i]);
        bytes[2 * i] = static_cast<uint8_t>(sample);
        bytes[2 * i + 1] = static_cast<uint8_t>(sample >> 8);
      }
      return bytes;
    }
    case AudioEncoding::Mulaw: {
      std::vector<uint8_t> bytes(pcm.size());
      mulaw_encode(pcm, bytes);
      return bytes;
    }
    case AudioEncoding::Alaw: {
      std::vector<uint8_t> bytes(pcm.size());
      alaw_encode(pcm, bytes);
      return bytes;
    }
  }
  throw Error("invalid_audio",
              fmt::format("unknown audio encoding {}", static_cast<int>(encoding)));
}

}  // namespace tektra
