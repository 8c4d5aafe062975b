// WAV parsing and writing: real fixtures, round trips, every sample format, and malformed input.
#include "audio/wav.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <string>

#include "core/error.h"
#include "support/fixtures.h"

namespace tektra {
namespace {

std::vector<uint8_t> file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int16_t le16_at(const std::vector<uint8_t>& bytes, size_t at) {
  return static_cast<int16_t>(bytes[at] | (bytes[at + 1] << 8));
}

// Builds a WAV image chunk by chunk so each test can break exactly one thing.
class WavBuilder {
 public:
  WavBuilder& riff(const char* tag = "RIFF", const char* form = "WAVE") {
    append(tag, 4);
    put32(0);  // patched by bytes()
    append(form, 4);
    return *this;
  }
  WavBuilder& fmt(uint16_t format, uint16_t channels, uint32_t rate, uint16_t bits,
                  uint32_t declared_size = 16) {
    append("fmt ", 4);
    put32(declared_size);
    put16(format);
    put16(channels);
    put32(rate);
    put32(rate * channels * bits / 8);
    put16(static_cast<uint16_t>(channels * bits / 8));
    put16(bits);
    for (uint32_t i = 16; i < declared_size; ++i) out_.push_back(0);
    return *this;
  }
  WavBuilder& extensible(uint16_t channels, uint32_t rate, uint16_t bits, uint16_t sub_format) {
    fmt(0xFFFE, channels, rate, bits, 40);
    size_t body = out_.size() - 24;  // the 24 bytes after the 16-byte common part
    out_[body] = 22;                 // cbSize
    out_[body + 2] = static_cast<uint8_t>(bits);
    out_[body + 8] = static_cast<uint8_t>(sub_format);
    out_[body + 9] = static_cast<uint8_t>(sub_format >> 8);
    return *this;
  }
  WavBuilder& chunk(const char* id, const std::vector<uint8_t>& body, uint32_t declared_size) {
    append(id, 4);
    put32(declared_size);
    out_.insert(out_.end(), body.begin(), body.end());
    if (body.size() % 2 == 1 && declared_size == body.size()) out_.push_back(0);
    return *this;
  }
  WavBuilder& data(const std::vector<uint8_t>& body) {
    return chunk("data", body, static_cast<uint32_t>(body.size()));
  }
  std::vector<uint8_t> bytes() const {
    std::vector<uint8_t> out = out_;
    if (out.size() >= 8) {
      uint32_t size = static_cast<uint32_t>(out.size() - 8);
      for (int i = 0; i < 4; ++i) out[4 + i] = static_cast<uint8_t>(size >> (8 * i));
    }
    return out;
  }

 private:
  void append(const char* text, size_t n) { out_.insert(out_.end(), text, text + n); }
  void put16(uint16_t v) {
    out_.push_back(static_cast<uint8_t>(v));
    out_.push_back(static_cast<uint8_t>(v >> 8));
  }
  void put32(uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> out_;
};

std::vector<uint8_t> pcm16_bytes(const std::vector<int16_t>& samples) {
  std::vector<uint8_t> out;
  for (int16_t s : samples) {
    out.push_back(static_cast<uint8_t>(s));
    out.push_back(static_cast<uint8_t>(static_cast<uint16_t>(s) >> 8));
  }
  return out;
}

template <typename T>
std::vector<uint8_t> raw_bytes(const std::vector<T>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

// Expects parse_wav to reject `bytes` with invalid_audio and a message naming the problem.
void expect_invalid(const std::vector<uint8_t>& bytes, const std::string& reason) {
  try {
    parse_wav(bytes);
    ADD_FAILURE() << "accepted a WAV that should fail with: " << reason;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "invalid_audio");
    EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
  }
}

TEST(Wav, ReadsJfkFixtureSkippingItsListChunk) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  AudioBuffer audio = read_wav(test::fixture("jfk.wav"));
  EXPECT_EQ(audio.sample_rate, 16000);
  EXPECT_EQ(audio.channels, 1);
  EXPECT_NEAR(audio.duration_seconds(), 11.0, 0.01);
  // The file has a LIST chunk between fmt and data; its samples start at byte 78.
  auto bytes = file_bytes(test::fixture("jfk.wav"));
  ASSERT_EQ(audio.samples.size(), (bytes.size() - 78) / 2);
  for (size_t i = 0; i < audio.samples.size(); i += 997) {
    ASSERT_EQ(audio.samples[i], le16_at(bytes, 78 + 2 * i)) << "sample " << i;
  }
  int peak = 0;
  for (int16_t s : audio.samples) peak = std::max(peak, std::abs(static_cast<int>(s)));
  EXPECT_GT(peak, 10000);  // real speech, not silence
}

TEST(Wav, ReadsStereo44kFixtureInterleaved) {
  TEKTRA_REQUIRE_FIXTURE("turn_on_the_living_room_lamp.wav");
  AudioBuffer audio = read_wav(test::fixture("turn_on_the_living_room_lamp.wav"));
  EXPECT_EQ(audio.sample_rate, 44100);
  EXPECT_EQ(audio.channels, 2);
  EXPECT_NEAR(audio.duration_seconds(), 2.99, 0.01);
  auto bytes = file_bytes(test::fixture("turn_on_the_living_room_lamp.wav"));
  ASSERT_EQ(audio.samples.size(), (bytes.size() - 44) / 2);
  for (size_t i = 0; i < audio.samples.size(); i += 1013) {
    ASSERT_EQ(audio.samples[i], le16_at(bytes, 44 + 2 * i)) << "sample " << i;
  }
}

TEST(Wav, EncodeThenParseRoundTrips) {
  AudioBuffer audio;
  audio.sample_rate = 22050;
  audio.channels = 2;
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> dist(-32768, 32767);
  for (int i = 0; i < 2 * 1001; ++i) audio.samples.push_back(static_cast<int16_t>(dist(rng)));
  audio.samples[0] = -32768;
  audio.samples[1] = 32767;

  std::vector<uint8_t> image = encode_wav(audio);
  EXPECT_EQ(image.size(), 44 + audio.samples.size() * 2);
  AudioBuffer back = parse_wav(image);
  EXPECT_EQ(back.sample_rate, audio.sample_rate);
  EXPECT_EQ(back.channels, audio.channels);
  EXPECT_EQ(back.samples, audio.samples);
}

TEST(Wav, WriteThenReadFileRoundTrips) {
  AudioBuffer audio;
  audio.sample_rate = 8000;
  audio.samples = {0, 1, -1, 1234, -4321, 32767, -32768};
  auto path = std::filesystem::temp_directory_path() /
              ("tektra_wav_test_" +
               std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".wav");
  write_wav(path, audio);
  AudioBuffer back = read_wav(path);
  std::filesystem::remove(path);
  EXPECT_EQ(back.sample_rate, 8000);
  EXPECT_EQ(back.channels, 1);
  EXPECT_EQ(back.samples, audio.samples);
}

TEST(Wav, ParsesEightBitUnsigned) {
  auto bytes = WavBuilder().riff().fmt(1, 1, 8000, 8).data({0, 128, 255, 129}).bytes();
  EXPECT_EQ(parse_wav(bytes).samples, (std::vector<int16_t>{-32768, 0, 32512, 256}));
}

TEST(Wav, Parses24BitWithRounding) {
  // 0x123456 is 0x1234 + 0x56/256 = 4660.34 on the 16-bit scale; 0x000080 is exactly half an LSB.
  std::vector<uint8_t> body = {0x56, 0x34, 0x12, 0xFF, 0xFF, 0x7F, 0x00, 0x00, 0x80,
                               0x80, 0x00, 0x00, 0x00, 0x01, 0x00, 0xFF, 0xFF, 0xFF};
  auto bytes = WavBuilder().riff().fmt(1, 1, 48000, 24).data(body).bytes();
  AudioBuffer audio = parse_wav(bytes);
  EXPECT_EQ(audio.sample_rate, 48000);
  EXPECT_EQ(audio.samples, (std::vector<int16_t>{4660, 32767, -32768, 1, 1, 0}));
}

TEST(Wav, Parses32BitInteger) {
  std::vector<int32_t> values = {0x7FFFFFFF, std::numeric_limits<int32_t>::min(), 0x00010000,
                                 -0x00010000, 0x12345678};
  auto bytes = WavBuilder().riff().fmt(1, 1, 16000, 32).data(raw_bytes(values)).bytes();
  EXPECT_EQ(parse_wav(bytes).samples, (std::vector<int16_t>{32767, -32768, 1, -1, 0x1234}));
}

TEST(Wav, ParsesFloat32ClampingAndZeroingNonFinite) {
  std::vector<float> values = {0.0f,
                               0.5f,
                               -0.5f,
                               1.0f,
                               -1.0f,
                               2.0f,
                               std::numeric_limits<float>::quiet_NaN(),
                               std::numeric_limits<float>::infinity()};
  auto bytes = WavBuilder().riff().fmt(3, 1, 16000, 32).data(raw_bytes(values)).bytes();
  EXPECT_EQ(parse_wav(bytes).samples,
            (std::vector<int16_t>{0, 16384, -16384, 32767, -32768, 32767, 0, 0}));
}

TEST(Wav, ParsesFloat64Stereo) {
  std::vector<double> values = {0.25, -0.25, 0.999, -0.001};
  auto bytes = WavBuilder().riff().fmt(3, 2, 44100, 64).data(raw_bytes(values)).bytes();
  AudioBuffer audio = parse_wav(bytes);
  EXPECT_EQ(audio.channels, 2);
  EXPECT_EQ(audio.frames(), 2u);
  EXPECT_EQ(audio.samples, (std::vector<int16_t>{8192, -8192, 32735, -33}));
}

TEST(Wav, ParsesExtensibleFormatByItsSubFormat) {
  auto pcm = WavBuilder().riff().extensible(1, 16000, 16, 1).data(pcm16_bytes({5, -5})).bytes();
  EXPECT_EQ(parse_wav(pcm).samples, (std::vector<int16_t>{5, -5}));
  auto adpcm = WavBuilder().riff().extensible(1, 16000, 16, 2).data(pcm16_bytes({5})).bytes();
  expect_invalid(adpcm, "compressed format 2");
}

TEST(Wav, SkipsUnknownAndOddSizedChunks) {
  auto bytes = WavBuilder()
                   .riff()
                   .chunk("junk", {1, 2, 3}, 3)  // odd size: followed by a pad byte
                   .fmt(1, 1, 16000, 16)
                   .chunk("LIST", {'I', 'N', 'F', 'O'}, 4)
                   .data(pcm16_bytes({100, -200, 300}))
                   .bytes();
  EXPECT_EQ(parse_wav(bytes).samples, (std::vector<int16_t>{100, -200, 300}));
}

TEST(Wav, TakesWhatIsPresentWhenDataSizeIsUnknownOrTooLarge) {
  auto streaming = WavBuilder()
                       .riff()
                       .fmt(1, 1, 16000, 16)
                       .chunk("data", pcm16_bytes({1, 2, 3}), 0xFFFFFFFF)
                       .bytes();
  EXPECT_EQ(parse_wav(streaming).samples, (std::vector<int16_t>{1, 2, 3}));
  // A trailing half sample and a partial stereo frame are dropped, not read past the end.
  auto ragged =
      WavBuilder().riff().fmt(1, 2, 16000, 16).chunk("data", {1, 0, 2, 0, 3, 0, 4}, 100).bytes();
  AudioBuffer audio = parse_wav(ragged);
  EXPECT_EQ(audio.samples, (std::vector<int16_t>{1, 2}));
}

TEST(Wav, RejectsEmptyAndShortInput) {
  expect_invalid({}, "shorter than a RIFF header");
  expect_invalid({'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V'}, "shorter than a RIFF header");
}

TEST(Wav, RejectsNonRiffInput) {
  expect_invalid(WavBuilder().riff("RIFX").fmt(1, 1, 16000, 16).data(pcm16_bytes({1})).bytes(),
                 "missing RIFF/WAVE signature");
  expect_invalid(
      WavBuilder().riff("RIFF", "AVI ").fmt(1, 1, 16000, 16).data(pcm16_bytes({1})).bytes(),
      "missing RIFF/WAVE signature");
  std::string text = "this is plainly not a wave file at all";
  expect_invalid(std::vector<uint8_t>(text.begin(), text.end()), "missing RIFF/WAVE signature");
}

TEST(Wav, RejectsTruncatedFmtChunk) {
  auto full = WavBuilder().riff().fmt(1, 1, 16000, 16).bytes();
  expect_invalid(std::vector<uint8_t>(full.begin(), full.end() - 6), "truncated fmt chunk");
  auto small = WavBuilder()
                   .riff()
                   .chunk("fmt ", {1, 0, 1, 0, 0x80, 0x3E, 0, 0}, 8)
                   .data(pcm16_bytes({1}))
                   .bytes();
  expect_invalid(small, "truncated fmt chunk");
}

TEST(Wav, RejectsMissingChunks) {
  expect_invalid(WavBuilder().riff().fmt(1, 1, 16000, 16).bytes(), "no data chunk");
  expect_invalid(WavBuilder().riff().bytes(), "no fmt chunk");
  expect_invalid(WavBuilder().riff().data(pcm16_bytes({1, 2})).fmt(1, 1, 16000, 16).bytes(),
                 "data chunk before fmt chunk");
}

TEST(Wav, RejectsCompressedFormats) {
  for (uint16_t tag : {2, 6, 7, 0x55}) {  // MS ADPCM, A-law, mu-law, MP3
    SCOPED_TRACE(tag);
    expect_invalid(WavBuilder().riff().fmt(tag, 1, 8000, 8).data({1, 2, 3, 4}).bytes(),
                   "compressed format " + std::to_string(tag));
  }
}

TEST(Wav, RejectsBadChannelCountsRatesAndSampleSizes) {
  expect_invalid(WavBuilder().riff().fmt(1, 0, 16000, 16).data(pcm16_bytes({1})).bytes(),
                 "0 channels");
  expect_invalid(WavBuilder().riff().fmt(1, 17, 16000, 16).data(pcm16_bytes({1})).bytes(),
                 "17 channels");
  expect_invalid(WavBuilder().riff().fmt(1, 1, 0, 16).data(pcm16_bytes({1})).bytes(),
                 "sample rate 0");
  expect_invalid(WavBuilder().riff().fmt(1, 1, 1000000, 16).data(pcm16_bytes({1})).bytes(),
                 "sample rate 1000000");
  expect_invalid(WavBuilder().riff().fmt(1, 1, 16000, 12).data(pcm16_bytes({1})).bytes(),
                 "12-bit samples in format 1");
  expect_invalid(WavBuilder().riff().fmt(3, 1, 16000, 16).data(pcm16_bytes({1})).bytes(),
                 "16-bit samples in format 3");
  expect_invalid(WavBuilder().riff().fmt(1, 1, 16000, 0).data(pcm16_bytes({1})).bytes(),
                 "0-bit samples in format 1");
}

TEST(Wav, EveryTruncationIsEitherParsedOrRejectedCleanly) {
  auto full = WavBuilder()
                  .riff()
                  .chunk("LIST", {'I', 'N', 'F', 'O', 'x'}, 5)
                  .fmt(1, 2, 16000, 16)
                  .data(pcm16_bytes({1, 2, 3, 4, 5, 6}))
                  .bytes();
  for (size_t n = 0; n <= full.size(); ++n) {
    std::vector<uint8_t> prefix(full.begin(), full.begin() + static_cast<ptrdiff_t>(n));
    try {
      AudioBuffer audio = parse_wav(prefix);
      EXPECT_LE(audio.samples.size(), 6u);
      EXPECT_EQ(audio.samples.size() % 2, 0u);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), "invalid_audio") << "prefix of " << n << " bytes";
    }
  }
}

TEST(Wav, RandomCorruptionNeverCrashes) {
  auto good =
      WavBuilder().riff().fmt(1, 1, 16000, 16).data(pcm16_bytes({1, 2, 3, 4, 5, 6, 7, 8})).bytes();
  std::mt19937 rng(1234);
  int parsed = 0;
  int rejected = 0;
  for (int round = 0; round < 5000; ++round) {
    std::vector<uint8_t> bytes = good;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
    try {
      AudioBuffer audio = parse_wav(bytes);
      EXPECT_GE(audio.channels, 1);
      EXPECT_EQ(audio.samples.size() % static_cast<size_t>(audio.channels), 0u);
      ++parsed;
    } catch (const Error& e) {
      ASSERT_EQ(e.code(), "invalid_audio");
      ++rejected;
    }
  }
  EXPECT_GT(parsed, 0);
  EXPECT_GT(rejected, 0);
}

TEST(Wav, MissingFileIsAnIoError) {
  try {
    read_wav("/nonexistent/tektra/no.wav");
    FAIL() << "read a file that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "io_error");
  }
}

}  // namespace
}  // namespace tektra
