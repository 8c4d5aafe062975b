// WebRtcVad on real speech, silence and bursts: decisions, frame checks, modes, reset, no hangover.
#include "vad/webrtc_vad.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "audio/wav.h"
#include "core/error.h"
#include "support/fixtures.h"

namespace tektra {
namespace {

std::vector<bool> decisions(WebRtcVad& vad, const std::vector<int16_t>& pcm) {
  std::vector<bool> out;
  for (size_t pos = 0; pos + 160 <= pcm.size(); pos += 160) {
    out.push_back(vad.speech_probability(std::span<const int16_t>(pcm).subspan(pos, 160)) > 0.5f);
  }
  return out;
}

std::vector<int16_t> jfk_samples() {
  return read_wav(test::fixture("jfk.wav")).samples;
}

TEST(WebRtcVad, DescribesItself) {
  WebRtcVad vad(2);
  EXPECT_EQ(vad.name(), "webrtc");
  EXPECT_EQ(vad.frame_samples(), 160u);
}

TEST(WebRtcVad, RejectsFramesOfAnyOtherSize) {
  WebRtcVad vad(2);
  for (size_t n : {0u, 1u, 159u, 161u, 320u, 480u}) {
    std::vector<int16_t> frame(n, 100);
    try {
      vad.speech_probability(frame);
      ADD_FAILURE() << n << " samples accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), "invalid_audio");
    }
  }
}

TEST(WebRtcVad, RejectsAggressivenessOutsideZeroToThree) {
  for (int mode : {-1, 4, 100}) {
    try {
      WebRtcVad vad(mode);
      ADD_FAILURE() << "mode " << mode << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), "invalid_config");
    }
  }
}

TEST(WebRtcVad, SilenceIsNotSpeechAndJfkIs) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  WebRtcVad vad(2);
  std::vector<int16_t> silence(16000, 0);
  for (bool voiced : decisions(vad, silence)) EXPECT_FALSE(voiced);
  auto jfk = jfk_samples();
  auto d = decisions(vad, jfk);
  // "And so, my fellow Americans" runs from about 0.3 s to 2.1 s.
  int voiced = 0;
  for (size_t f = 40; f < 200; ++f) voiced += d[f];
  EXPECT_GT(voiced, 150);
}

TEST(WebRtcVad, AddsNoHangoverAfterABurst) {
  // Through WebRtcVad_Process the library would report 6-14 more voiced frames after the burst.
  WebRtcVad vad(2);
  std::mt19937 rng(3);
  std::normal_distribution<float> noise(0, 8000);
  std::vector<int16_t> pcm(32000, 0);
  for (size_t i = 16000; i < 16960; ++i)
    pcm[i] = static_cast<int16_t>(std::clamp(noise(rng), -32768.f, 32767.f));
  auto d = decisions(vad, pcm);
  int during = 0;
  for (size_t f = 100; f < 106; ++f) during += d[f];
  EXPECT_GE(during, 5);  // the burst itself is detected
  for (size_t f = 108; f < d.size(); ++f) EXPECT_FALSE(d[f]) << "frame " << f;
}

TEST(WebRtcVad, HigherAggressivenessFlagsLess) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  auto jfk = jfk_samples();
  std::vector<int> counts;
  for (int mode = 0; mode <= 3; ++mode) {
    WebRtcVad vad(mode);
    auto d = decisions(vad, jfk);
    counts.push_back(static_cast<int>(std::count(d.begin(), d.end(), true)));
  }
  EXPECT_GT(counts[0], counts[3]);
  EXPECT_GE(counts[1], counts[2]);
  EXPECT_GE(counts[2], counts[3]);
}

TEST(WebRtcVad, ResetRestoresTheInitialState) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  auto jfk = jfk_samples();
  WebRtcVad vad(3);
  auto first = decisions(vad, jfk);
  vad.reset();
  EXPECT_EQ(decisions(vad, jfk), first);
  WebRtcVad fresh(3);
  EXPECT_EQ(decisions(fresh, jfk), first);
}

}  // namespace
}  // namespace tektra
