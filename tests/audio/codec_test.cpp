// decode_audio / encode_audio: PCM16 byte order, G.711 through the codec API, and bad input.
#include "audio/codec.h"

#include <gtest/gtest.h>

#include <cmath>

#include "audio/g711.h"
#include "audio/wav.h"
#include "core/error.h"
#include "support/fixtures.h"

namespace tektra {
namespace {

double snr_db(const std::vector<int16_t>& reference, const std::vector<int16_t>& test) {
  double signal = 0;
  double noise = 0;
  for (size_t i = 0; i < reference.size(); ++i) {
    signal += static_cast<double>(reference[i]) * reference[i];
    double d = static_cast<double>(reference[i]) - test[i];
    noise += d * d;
  }
  return 10 * std::log10(signal / noise);
}

TEST(Codec, Pcm16IsLittleEndian) {
  std::vector<int16_t> pcm = {1, -2, 0x1234, -32768, 32767};
  std::vector<uint8_t> bytes = {0x01, 0x00, 0xFE, 0xFF, 0x34, 0x12, 0x00, 0x80, 0xFF, 0x7F};
  EXPECT_EQ(encode_audio(pcm, AudioEncoding::Pcm16), bytes);
  EXPECT_EQ(decode_audio(bytes, AudioEncoding::Pcm16), pcm);
}

TEST(Codec, Pcm16RejectsAnOddByteCount) {
  std::vector<uint8_t> bytes = {0x01, 0x00, 0x02};
  try {
    decode_audio(bytes, AudioEncoding::Pcm16);
    FAIL() << "odd PCM16 byte count accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "invalid_audio");
    EXPECT_NE(std::string(e.what()).find("odd byte count"), std::string::npos) << e.what();
  }
}

TEST(Codec, G711IsOneBytePerSampleThroughTheCodecApi) {
  std::vector<int16_t> pcm = {0, 1000, -1000, 32767, -32768};
  auto mu = encode_audio(pcm, AudioEncoding::Mulaw);
  auto a = encode_audio(pcm, AudioEncoding::Alaw);
  ASSERT_EQ(mu.size(), pcm.size());
  ASSERT_EQ(a.size(), pcm.size());
  EXPECT_EQ(mu[1], 0xCE);
  EXPECT_EQ(a[1], 0xFA);
  auto mu_back = decode_audio(mu, AudioEncoding::Mulaw);
  auto a_back = decode_audio(a, AudioEncoding::Alaw);
  for (size_t i = 0; i < pcm.size(); ++i) {
    EXPECT_EQ(mu_back[i], mulaw_decode(mu[i]));
    EXPECT_EQ(a_back[i], alaw_decode(a[i]));
  }
  // Odd lengths are fine for one-byte encodings.
  EXPECT_EQ(decode_audio(std::vector<uint8_t>{0xFF, 0xFF, 0xFF}, AudioEncoding::Mulaw).size(), 3u);
}

TEST(Codec, EmptyInputGivesEmptyOutput) {
  for (auto encoding : {AudioEncoding::Pcm16, AudioEncoding::Mulaw, AudioEncoding::Alaw}) {
    EXPECT_TRUE(decode_audio({}, encoding).empty());
    EXPECT_TRUE(encode_audio({}, encoding).empty());
  }
}

TEST(Codec, RealSpeechSurvivesG711WithTelephoneQuality) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  auto speech = read_wav(test::fixture("jfk.wav")).samples;
  EXPECT_EQ(decode_audio(encode_audio(speech, AudioEncoding::Pcm16), AudioEncoding::Pcm16), speech);
  // G.711 gives roughly 38 dB SNR on speech at normal levels.
  double mu = snr_db(
      speech, decode_audio(encode_audio(speech, AudioEncoding::Mulaw), AudioEncoding::Mulaw));
  double a =
      snr_db(speech, decode_audio(encode_audio(speech, AudioEncoding::Alaw), AudioEncoding::Alaw));
  EXPECT_GT(mu, 33.0);
  EXPECT_GT(a, 33.0);
}

TEST(Codec, RejectsAnUnknownEncoding) {
  auto bogus = static_cast<AudioEncoding>(42);
  EXPECT_THROW(decode_audio(std::vector<uint8_t>{1, 2}, bogus), Error);
  EXPECT_THROW(encode_audio(std::vector<int16_t>{1, 2}, bogus), Error);
}

TEST(Codec, AudioFormatDefaultsToPcm16At16k) {
  AudioFormat format;
  EXPECT_EQ(format.encoding, AudioEncoding::Pcm16);
  EXPECT_EQ(format.sample_rate, 16000);
  EXPECT_EQ(format, (AudioFormat{AudioEncoding::Pcm16, 16000}));
  EXPECT_NE(format, (AudioFormat{AudioEncoding::Mulaw, 8000}));
}

}  // namespace
}  // namespace tektra
