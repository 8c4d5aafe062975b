// Opus on real speech: what comes back follows what went in, lost packets are concealed (or
// rebuilt from forward error correction), and bad settings and packets are clear errors.
#include "audio/opus_codec.h"

#include <gtest/gtest.h>

#include <cmath>

#include "audio/resampler.h"
#include "audio/wav.h"
#include "core/error.h"
#include "support/fixtures.h"
#include "support/thrown.h"

namespace tektra {
namespace {

std::vector<int16_t> speech(int rate) {
  return to_mono(read_wav(test::fixture("jfk.wav")), rate).samples;
}

// RMS of each `frame`-sample frame.
std::vector<double> envelope(std::span<const int16_t> pcm, size_t frame) {
  std::vector<double> out;
  for (size_t at = 0; at + frame <= pcm.size(); at += frame) {
    double sum = 0;
    for (size_t i = at; i < at + frame; ++i) sum += double(pcm[i]) * pcm[i];
    out.push_back(std::sqrt(sum / double(frame)));
  }
  return out;
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const size_t n = std::min(a.size(), b.size());
  double ma = 0, mb = 0;
  for (size_t i = 0; i < n; ++i) ma += a[i], mb += b[i];
  ma /= double(n), mb /= double(n);
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < n; ++i) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) * (a[i] - ma);
    bb += (b[i] - mb) * (b[i] - mb);
  }
  return ab / std::sqrt(aa * bb);
}

struct RoundTrip {
  std::vector<int16_t> decoded;
  size_t bytes = 0;
  int frames = 0;
};

// Every frame through the encoder and decoder; frames whose index `lost` says are dropped and
// concealed (from the next packet's FEC when `fec`).
RoundTrip round_trip(const std::vector<int16_t>& pcm, OpusSettings settings,
                     const std::function<bool(int)>& lost = {}, bool fec = false) {
  OpusEncoder encoder(settings);
  OpusDecoder decoder(settings.sample_rate, settings.frame_ms);
  const size_t n = static_cast<size_t>(encoder.frame_samples());
  std::vector<std::vector<uint8_t>> packets;
  RoundTrip r;
  for (size_t at = 0; at + n <= pcm.size(); at += n) {
    packets.push_back(encoder.encode(std::span(pcm).subspan(at, n)));
    r.bytes += packets.back().size();
  }
  r.frames = static_cast<int>(packets.size());
  for (size_t i = 0; i < packets.size(); ++i) {
    std::vector<int16_t> frame;
    if (lost && lost(static_cast<int>(i)))
      frame =
          decoder.conceal(fec && i + 1 < packets.size() ? std::span<const uint8_t>(packets[i + 1])
                                                        : std::span<const uint8_t>());
    else
      frame = decoder.decode(packets[i]);
    EXPECT_EQ(frame.size(), n);
    r.decoded.insert(r.decoded.end(), frame.begin(), frame.end());
  }
  return r;
}

TEST(Opus, SpeechComesBackAtTheRequestedBitrate) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  for (int rate : {8000, 16000, 24000, 48000}) {
    const auto pcm = speech(rate);
    const RoundTrip r = round_trip(pcm, {.sample_rate = rate, .frame_ms = 20, .bitrate = 24000});
    const double kbps = double(r.bytes) * 8 / (r.frames * 0.020) / 1000;
    EXPECT_NEAR(kbps, 24, 6) << rate;
    const size_t frame = static_cast<size_t>(rate / 50);
    EXPECT_GT(correlation(envelope(pcm, frame), envelope(r.decoded, frame)), 0.95) << rate;
  }
}

TEST(Opus, LostPacketsAreConcealedAndForwardErrorCorrectionDoesBetter) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  const auto pcm = speech(16000);
  const auto every_20th = [](int i) { return i % 20 == 7; };
  const OpusSettings plain{.sample_rate = 16000, .bitrate = 24000};
  const OpusSettings protected_{.sample_rate = 16000, .bitrate = 24000, .expected_loss_pct = 5};
  const auto clean = round_trip(pcm, protected_);
  const auto concealed = round_trip(pcm, plain, every_20th);
  const auto rebuilt = round_trip(pcm, protected_, every_20th, /*fec=*/true);
  ASSERT_EQ(concealed.decoded.size(), clean.decoded.size());
  // Error in the lost frames against the loss-free decode of the same stream.
  auto lost_error = [&](const std::vector<int16_t>& got) {
    double sum = 0;
    for (int i = 0; i < clean.frames; ++i) {
      if (!every_20th(i)) continue;
      for (int k = 0; k < 320; ++k) {
        const double d = double(got[size_t(i * 320 + k)]) - clean.decoded[size_t(i * 320 + k)];
        sum += d * d;
      }
    }
    return sum;
  };
  EXPECT_LT(lost_error(rebuilt.decoded), lost_error(concealed.decoded));
}

TEST(Opus, BadSettingsAndPacketsAreClearErrors) {
  EXPECT_EQ(test::thrown_code([] { OpusEncoder({.sample_rate = 44100}); }), "invalid_audio");
  EXPECT_EQ(test::thrown_code([] { OpusEncoder({.frame_ms = 25}); }), "invalid_audio");
  EXPECT_EQ(test::thrown_code([] { OpusEncoder({.bitrate = 100}); }), "invalid_audio");
  EXPECT_EQ(test::thrown_code([] { OpusDecoder(22050); }), "invalid_audio");
  OpusEncoder encoder({});
  std::vector<int16_t> short_frame(100);
  EXPECT_EQ(test::thrown_code([&] { encoder.encode(short_frame); }), "invalid_audio");
  OpusDecoder decoder(16000);
  EXPECT_EQ(test::thrown_code([&] { decoder.decode({}); }), "invalid_audio");
  const std::vector<uint8_t> no_frames = {0x03, 0x00};  // code 3 with a frame count of zero
  EXPECT_EQ(test::thrown_code([&] { decoder.decode(no_frames); }), "invalid_audio");
  // After an error the decoder still works.
  std::vector<int16_t> silence(320);
  EXPECT_EQ(decoder.decode(encoder.encode(silence)).size(), 320u);
}

}  // namespace
}  // namespace tektra
