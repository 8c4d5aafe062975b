// WAV parsing and writing with strict bounds checks on untrusted input.
#include "audio/wav.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include "core/error.h"

namespace tektra {
namespace {

[[noreturn]] void invalid(const std::string& why) {
  throw Error("invalid_audio", "not a usable WAV file: " + why);
}

uint32_t le32(const uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
uint16_t le16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}

int16_t clamp16(double v) {
  v = std::round(v);
  return static_cast<int16_t>(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

std::vector<uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("io_error", fmt::format("cannot open {}", path.string()));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

constexpr uint16_t kFormatPcm = 1;
constexpr uint16_t kFormatFloat = 3;
constexpr uint16_t kFormatExtensible = 0xFFFE;

}  // namespace

AudioBuffer parse_wav(std::span<const uint8_t> bytes) {
  if (bytes.size() < 12) invalid("shorter than a RIFF header");
  if (std::memcmp(bytes.data(), "RIFF", 4) != 0 || std::memcmp(bytes.data() + 8, "WAVE", 4) != 0) {
    invalid("missing RIFF/WAVE signature");
  }
  uint16_t format = 0, channels = 0, bits = 0;
  uint32_t rate = 0;
  bool have_fmt = false;
  size_t pos = 12;
  while (pos + 8 <= bytes.size()) {
    const uint8_t* chunk = bytes.data() + pos;
    uint32_t size = le32(chunk + 4);
    size_t body = pos + 8;
    size_t available = bytes.size() - body;
    if (std::memcmp(chunk, "fmt ", 4) == 0) {
      if (size < 16 || size > available) invalid("truncated fmt chunk");
      format = le16(chunk + 8);
      channels = le16(chunk + 10);
      rate = le32(chunk + 12);
      bits = le16(chunk + 22);
      if (format == kFormatExtensible && size >= 40) format = le16(chunk + 32);
      have_fmt = true;
    } else if (std::memcmp(chunk, "data", 4) == 0) {
      if (!have_fmt) invalid("data chunk before fmt chunk");
      if (format != kFormatPcm && format != kFormatFloat) {
        invalid(fmt::format("compressed format {} is not supported (use PCM or float)", format));
      }
      if (channels == 0 || channels > 16) invalid(fmt::format("{} channels", channels));
      if (rate < 1000 || rate > 384000) invalid(fmt::format("sample rate {}", rate));
      bool ok = format == kFormatPcm ? (bits == 8 || bits == 16 || bits == 24 || bits == 32)
                                     : (bits == 32 || bits == 64);
      if (!ok) invalid(fmt::format("{}-bit samples in format {}", bits, format));
      // Streaming writers put 0 or 0xFFFFFFFF here; take what is present.
      size_t data_size = std::min<size_t>(size, available);
      size_t width = bits / 8;
      size_t count = data_size / width;
      count -= count % channels;
      AudioBuffer out;
      out.sample_rate = static_cast<int>(rate);
      out.channels = channels;
      out.samples.resize(count);
      const uint8_t* p = chunk + 8;
      for (size_t i = 0; i < count; ++i, p += width) {
        double v = 0;
        if (format == kFormatFloat) {
          if (bits == 32) {
            float f;
            std::memcpy(&f, p, 4);
            v = f * 32768.0;
          } else {
            double d;
            std::memcpy(&d, p, 8);
            v = d * 32768.0;
          }
          if (!std::isfinite(v)) v = 0;
        } else if (bits == 8) {
          v = (static_cast<int>(p[0]) - 128) * 256;
        } else if (bits == 16) {
          v = static_cast<int16_t>(le16(p));
        } else if (bits == 24) {
          int32_t s = (p[0] << 8) | (p[1] << 16) | (static_cast<int32_t>(p[2]) << 24);
          v = (s >> 8) / 256.0;
        } else {
          v = static_cast<int32_t>(le32(p)) / 65536.0;
        }
        out.samples[i] = clamp16(v);
      }
      return out;
    }
    if (size > available) break;
    pos = body + size + (size & 1);
  }
  invalid(have_fmt ? "no data chunk" : "no fmt chunk");
}

AudioBuffer read_wav(const std::filesystem::path& path) {
  return parse_wav(read_file(path));
}

std::vector<uint8_t> encode_wav(const AudioBuffer& audio) {
  uint32_t data_bytes = static_cast<uint32_t>(audio.samples.size() * 2);
  std::vector<uint8_t> out(44 + data_bytes);
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) out[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  auto put16 = [&](size_t at, uint16_t v) {
    out[at] = static_cast<uint8_t>(v);
    out[at + 1] = static_cast<uint8_t>(v >> 8);
  };
  std::memcpy(out.data(), "RIFF", 4);
  put32(4, 36 + data_bytes);
  std::memcpy(out.data() + 8, "WAVEfmt ", 8);
  put32(16, 16);
  put16(20, kFormatPcm);
  put16(22, static_cast<uint16_t>(audio.channels));
  put32(24, static_cast<uint32_t>(audio.sample_rate));
  put32(28, static_cast<uint32_t>(audio.sample_rate * audio.channels * 2));
  put16(32, static_cast<uint16_t>(audio.channels * 2));
  put16(34, 16);
  std::memcpy(out.data() + 36, "data", 4);
  put32(40, data_bytes);
  for (size_t i = 0; i < audio.samples.size(); ++i)
    put16(44 + 2 * i, static_cast<uint16_t>(audio.samples[i]));
  return out;
}

void write_wav(const std::filesystem::path& path, const AudioBuffer& audio) {
  auto bytes = encode_wav(audio);
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error("io_error", fmt::format("cannot write {}", path.string()));
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw Error("io_error", fmt::format("failed writing {}", path.string()));
}

AudioBuffer read_raw_pcm16(const std::filesystem::path& path, int sample_rate, int channels) {
  if (sample_rate < 1000 || channels < 1)
    throw Error("invalid_audio", "raw PCM needs a sample rate and channel count");
  auto bytes = read_file(path);
  AudioBuffer out;
  out.sample_rate = sample_rate;
  out.channels = channels;
  size_t count = bytes.size() / 2;
  count -= count % static_cast<size_t>(channels);
  out.samples.resize(count);
  for (size_t i = 0; i < count; ++i)
    out.samples[i] = static_cast<int16_t>(le16(bytes.data() + 2 * i));
  return out;
}

}  // namespace tektra
