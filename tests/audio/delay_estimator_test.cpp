// Bulk echo delay estimation on real speech echoed by a synthetic room, and the aligner's delay.
#include "audio/delay_estimator.h"

#include <gtest/gtest.h>

#include <complex>
#include <cstdio>
#include <random>

#include "audio/echo_room.h"
#include "support/fixtures.h"
#include "support/thrown.h"

namespace tektra {
namespace {

constexpr size_t kFrame = DelayEstimator::kFrame;

TEST(DelayEstimator, FftMatchesTheDefinition) {
  std::vector<std::complex<float>> x(64);
  std::mt19937 random(1);
  std::normal_distribution<float> g(0, 1);
  for (auto& v : x) v = {g(random), g(random)};
  auto y = x;
  fft(y, false);
  for (size_t k = 0; k < x.size(); ++k) {
    std::complex<double> sum = 0;
    for (size_t n = 0; n < x.size(); ++n)
      sum += std::complex<double>(x[n]) * std::polar(1.0, -2 * M_PI * double(k * n) / 64.0);
    EXPECT_NEAR(y[k].real(), sum.real(), 1e-3);
    EXPECT_NEAR(y[k].imag(), sum.imag(), 1e-3);
  }
  fft(y, true);
  for (size_t n = 0; n < x.size(); ++n) EXPECT_NEAR(y[n].real() / 64, x[n].real(), 1e-4);
}

TEST(DelayEstimator, FindsTheEchoDelayOfARoom) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  const auto reply = test::speech("jfk.wav", 11);
  const auto far = to_pcm(reply);
  std::mt19937 random(5);
  std::normal_distribution<float> hiss(0, 3);
  for (int delay_ms : {50, 150, 250, 400}) {
    auto mic_f = convolve(reply, room_impulse_response(delay_ms, 150, 13));
    for (auto& s : mic_f) s += hiss(random);
    const auto mic = to_pcm(mic_f);
    DelayEstimator estimator;
    double first_s = -1;
    for (size_t at = 0; at + kFrame <= mic.size(); at += kFrame) {
      estimator.push(std::span(mic).subspan(at, kFrame), std::span(far).subspan(at, kFrame));
      if (first_s < 0 && estimator.has_estimate()) first_s = double(at + kFrame) / 16000;
    }
    std::printf(
        "[ MEASURE  ] delay estimate, echo %3d ms: %.2f ms (first estimate after %.1f s), "
        "confidence %.1f\n",
        delay_ms, estimator.delay_ms(), first_s, estimator.confidence());
    ASSERT_TRUE(estimator.has_estimate()) << delay_ms;
    EXPECT_NEAR(estimator.delay_ms(), delay_ms, 10) << delay_ms;
    EXPECT_LT(first_s, 2.5) << delay_ms;
  }
}

TEST(DelayEstimator, HoldsItsEstimateThroughDoubleTalkAndSilence) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  TEKTRA_REQUIRE_FIXTURE("sense_and_sensibility_01_austen_64kb-0880.wav");
  auto reply = test::speech("jfk.wav", 11);
  const auto user = test::speech("sense_and_sensibility_01_austen_64kb-0880.wav", 3);
  auto mic_f = convolve(reply, room_impulse_response(150, 150, 17));
  // The user talks over the reply, louder than its echo, from second 4; the reply then stops
  // at second 8 while the user goes on talking.
  for (size_t i = 0; i < user.size(); ++i) mic_f[4 * 16000 + i] += user[i];
  std::fill(reply.begin() + 8 * 16000, reply.end(), 0.0f);
  for (size_t i = 0; i < user.size() && 8 * 16000 + i < mic_f.size(); ++i)
    mic_f[8 * 16000 + i] = user[i];
  const auto mic = to_pcm(mic_f), far = to_pcm(reply);
  DelayEstimator estimator;
  float worst = 0;
  for (size_t at = 0; at + kFrame <= mic.size(); at += kFrame) {
    estimator.push(std::span(mic).subspan(at, kFrame), std::span(far).subspan(at, kFrame));
    if (estimator.has_estimate()) worst = std::max(worst, std::abs(estimator.delay_ms() - 150.0f));
  }
  std::printf("[ MEASURE  ] delay estimate through double talk: worst error %.2f ms\n", worst);
  ASSERT_TRUE(estimator.has_estimate());
  EXPECT_LE(worst, 10.0f);
}

TEST(EchoPathAligner, DelaysTheReplyByTheEstimateLessTheMargin) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  const auto reply = test::speech("jfk.wav", 6);
  const auto far = to_pcm(reply);
  // A pure 200 ms delay: once estimated, the aligned reply leads the mic by the margin only.
  std::vector<int16_t> mic(far.size(), 0);
  const size_t delay = 3200;
  std::copy(far.begin(), far.end() - delay, mic.begin() + delay);
  EchoPathAligner aligner;
  std::vector<int16_t> aligned;
  for (size_t at = 0; at + kFrame <= mic.size(); at += kFrame) {
    auto frame =
        aligner.align(std::span(mic).subspan(at, kFrame), std::span(far).subspan(at, kFrame));
    aligned.insert(aligned.end(), frame.begin(), frame.end());
  }
  const int margin = 16000 * EchoPathAligner::kMarginMs / 1000;
  EXPECT_EQ(aligner.applied_delay_samples(), int(delay) - margin);
  // Over the last second the aligned reply is the microphone signal, `margin` samples early.
  for (size_t i = aligned.size() - 16000; i < aligned.size() - size_t(margin); ++i)
    ASSERT_EQ(aligned[i], mic[i + size_t(margin)]) << i;
}

TEST(DelayEstimator, WrongFramesAndSettingsAreClearErrors) {
  DelayEstimator estimator;
  std::vector<int16_t> ten_ms(kFrame), short_frame(80);
  EXPECT_EQ(test::thrown_code([&] { estimator.push(short_frame, ten_ms); }), "invalid_audio");
  EXPECT_EQ(test::thrown_code([&] { estimator.push(ten_ms, short_frame); }), "invalid_audio");
  EXPECT_EQ(test::thrown_code([] { DelayEstimator({.max_delay_ms = 0}); }), "invalid_value");
  EXPECT_EQ(test::thrown_code([] { DelayEstimator({.update_ms = 15}); }), "invalid_value");
}

}  // namespace
}  // namespace tektra
