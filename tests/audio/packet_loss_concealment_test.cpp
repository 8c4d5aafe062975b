// Packet-loss concealment on real speech with random loss, and on periodic signals whose
// continuation is known exactly.
#include "audio/packet_loss_concealment.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>

#include "audio/resampler.h"
#include "audio/wav.h"
#include "support/fixtures.h"
#include "support/thrown.h"

namespace tektra {
namespace {

constexpr int kRate = 16000;

std::vector<int16_t> speech(const std::string& name) {
  return to_mono(read_wav(test::fixture(name)), kRate).samples;
}

// A vowel-like tone: harmonics of a fundamental whose period is `period` samples.
std::vector<int16_t> vowel(size_t samples, double period) {
  std::vector<int16_t> out(samples);
  for (size_t n = 0; n < samples; ++n) {
    double v = 0;
    for (int h = 1; h <= 5; ++h)
      v += 3000.0 / h * std::sin(2 * std::numbers::pi * h * double(n) / period + h);
    out[n] = static_cast<int16_t>(std::lround(v));
  }
  return out;
}

double snr_db(std::span<const int16_t> reference, std::span<const int16_t> test) {
  double signal = 0, noise = 0;
  for (size_t i = 0; i < reference.size(); ++i) {
    signal += double(reference[i]) * reference[i];
    noise += (double(reference[i]) - test[i]) * (double(reference[i]) - test[i]);
  }
  return 10 * std::log10(signal / std::max(noise, 1.0));
}

// Plays `audio` frame by frame through a concealer, dropping the frames marked lost. Like a jitter
// buffer at its 40 ms minimum delay, the concealer is told of a following frame at most two frames
// ahead.
std::vector<int16_t> play_with_loss(const std::vector<int16_t>& audio,
                                    const std::vector<bool>& lost, ConcealmentMethod method,
                                    size_t frame) {
  PacketLossConcealer plc(method, frame);
  std::vector<int16_t> out(lost.size() * frame);
  for (size_t k = 0; k < lost.size(); ++k) {
    auto dst = std::span(out).subspan(k * frame, frame);
    if (!lost[k]) {
      std::copy_n(audio.begin() + static_cast<ptrdiff_t>(k * frame), frame, dst.begin());
      plc.receive(dst);
      continue;
    }
    size_t next = k + 1;
    while (next < lost.size() && next <= k + 2 && lost[next]) ++next;
    if (next < lost.size() && next <= k + 2)
      plc.conceal(dst, std::span(audio).subspan(next * frame, frame), next - k);
    else
      plc.conceal(dst);
  }
  return out;
}

TEST(PacketLossConcealment, PitchAndInterpolationBeatRepetitionOnSpeechWithRandomLoss) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  const auto audio = speech("jfk.wav");
  for (size_t frame : {size_t{320}, size_t{160}}) {
    const size_t frames = audio.size() / frame;
    std::mt19937 random(11);
    std::bernoulli_distribution drop(0.05);
    std::vector<bool> lost(frames);
    for (size_t k = 2; k < frames; ++k) lost[k] = drop(random);
    const auto original = std::span(audio).first(frames * frame);

    const char* names[] = {"repeat", "interpolate", "pitch"};
    double snr[3];
    for (int m = 0; m < 3; ++m) {
      const auto method = static_cast<ConcealmentMethod>(m);
      snr[m] = snr_db(original, play_with_loss(audio, lost, method, frame));
    }
    std::printf(
        "[ MEASURE  ] jfk.wav, %zu ms frames, %zu of %zu lost: SNR %s %.2f dB, %s %.2f dB, "
        "%s %.2f dB\n",
        frame / 16, size_t(std::count(lost.begin(), lost.end(), true)), frames, names[0], snr[0],
        names[1], snr[1], names[2], snr[2]);
    EXPECT_GT(snr[2], snr[0]) << frame;
    EXPECT_GT(snr[1], snr[0]) << frame;
  }
}

TEST(PacketLossConcealment, EstimatesThePitchPeriodOfAVowel) {
  EXPECT_EQ(estimate_pitch_period(vowel(1024, 123)), 123);
  EXPECT_EQ(estimate_pitch_period(vowel(1024, 57)), 57);
  EXPECT_EQ(estimate_pitch_period(vowel(1024, 200)), 200);
}

TEST(PacketLossConcealment, PitchRepetitionContinuesAPeriodicSignal) {
  const auto tone = vowel(16000, 123.0);
  constexpr size_t kFrame = 160;
  std::vector<bool> lost(tone.size() / kFrame);
  lost[50] = true;
  const auto lost_part = [&](const std::vector<int16_t>& out) {
    return snr_db(std::span(tone).subspan(50 * kFrame, kFrame),
                  std::span(out).subspan(50 * kFrame, kFrame));
  };
  const double pitch = lost_part(play_with_loss(tone, lost, ConcealmentMethod::kPitch, kFrame));
  const double repeat = lost_part(play_with_loss(tone, lost, ConcealmentMethod::kRepeat, kFrame));
  std::printf(
      "[ MEASURE  ] 130 Hz vowel, one 10 ms frame lost: SNR pitch %.1f dB, repeat %.1f dB\n", pitch,
      repeat);
  EXPECT_GT(pitch, 20.0);
  EXPECT_LT(repeat, 10.0);
}

TEST(PacketLossConcealment, RepetitionFadesToSilence) {
  PacketLossConcealer plc(ConcealmentMethod::kRepeat, 320);
  auto tone = vowel(320, 100);
  plc.receive(tone);
  std::vector<int16_t> out(320);
  plc.conceal(out);
  EXPECT_EQ(out[10], tone[10] / 2);
  plc.conceal(out);
  plc.conceal(out);
  EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](int16_t s) { return s == 0; }));
}

TEST(PacketLossConcealment, AudioWithoutLossPassesUntouched) {
  const auto tone = vowel(3200, 90);
  std::vector<bool> lost(20, false);
  for (int m = 0; m < 3; ++m)
    EXPECT_EQ(play_with_loss(tone, lost, static_cast<ConcealmentMethod>(m), 160), tone);
}

TEST(PacketLossConcealment, InterpolationLandsOnTheNextFrameWithoutAFade) {
  const auto tone = vowel(16000, 110);
  std::vector<bool> lost(tone.size() / 320);
  lost[20] = true;
  const auto out = play_with_loss(tone, lost, ConcealmentMethod::kInterpolate, 320);
  // The frame after the gap is exactly as sent: the interpolation already ended on it.
  EXPECT_TRUE(std::equal(out.begin() + 21 * 320, out.end(), tone.begin() + 21 * 320));
  EXPECT_GT(snr_db(std::span(tone).subspan(20 * 320, 320), std::span(out).subspan(20 * 320, 320)),
            20.0);
}

TEST(PacketLossConcealment, WrongFramesAndSettingsAreClearErrors) {
  EXPECT_EQ(test::thrown_code([] { PacketLossConcealer(ConcealmentMethod::kPitch, 240); }),
            "invalid_value");
  PacketLossConcealer plc(ConcealmentMethod::kInterpolate, 160);
  std::vector<int16_t> frame(160), wrong(100);
  EXPECT_EQ(test::thrown_code([&] { plc.receive(wrong); }), "invalid_audio");
  EXPECT_EQ(test::thrown_code([&] { plc.conceal(wrong); }), "invalid_audio");
  EXPECT_EQ(test::thrown_code([&] { plc.conceal(frame, wrong, 1); }), "invalid_audio");
  EXPECT_EQ(test::thrown_code([] { estimate_pitch_period(std::vector<int16_t>(500)); }),
            "invalid_audio");
}

}  // namespace
}  // namespace tektra
