// downmix_to_mono and to_mono: channel averaging with rounding, and the 44.1 kHz stereo fixture.
#include <gtest/gtest.h>

#include <cmath>

#include "audio/resampler.h"
#include "audio/wav.h"
#include "core/error.h"
#include "support/fixtures.h"

namespace tektra {
namespace {

AudioBuffer buffer(int rate, int channels, std::vector<int16_t> samples) {
  AudioBuffer audio;
  audio.sample_rate = rate;
  audio.channels = channels;
  audio.samples = std::move(samples);
  return audio;
}

double rms(std::span<const int16_t> x) {
  double sum = 0;
  for (int16_t s : x) sum += static_cast<double>(s) * s;
  return x.empty() ? 0.0 : std::sqrt(sum / static_cast<double>(x.size()));
}

TEST(Downmix, AveragesStereoRoundingHalvesAwayFromZero) {
  auto mono = downmix_to_mono(buffer(
      16000, 2, {1000, 3000, 1, 2, -1, -2, 32767, 32767, -32768, -32768, 32767, -32768, 5, -5}));
  EXPECT_EQ(mono, (std::vector<int16_t>{2000, 2, -2, 32767, -32768, -1, 0}));
}

TEST(Downmix, AveragesAnyChannelCountAndDropsAPartialFrame) {
  auto mono = downmix_to_mono(buffer(48000, 3, {3, 6, 9, -10, 0, 0, 7, 7}));
  EXPECT_EQ(mono, (std::vector<int16_t>{6, -3}));
}

TEST(Downmix, MonoIsCopied) {
  std::vector<int16_t> samples = {1, -2, 3, -32768, 32767};
  EXPECT_EQ(downmix_to_mono(buffer(8000, 1, samples)), samples);
}

TEST(Downmix, RejectsAudioWithoutChannels) {
  for (int channels : {0, -1}) {
    try {
      downmix_to_mono(buffer(16000, channels, {1, 2}));
      ADD_FAILURE() << channels << " channels accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), "invalid_audio");
    }
  }
}

TEST(ToMono, ConvertsTheStereo44kFixtureTo16kMono) {
  TEKTRA_REQUIRE_FIXTURE("turn_on_the_living_room_lamp.wav");
  AudioBuffer stereo = read_wav(test::fixture("turn_on_the_living_room_lamp.wav"));
  AudioBuffer mono = to_mono(stereo, 16000);
  EXPECT_EQ(mono.sample_rate, 16000);
  EXPECT_EQ(mono.channels, 1);
  EXPECT_NEAR(mono.duration_seconds(), stereo.duration_seconds(), 0.001);
  // Speech energy sits well below 8 kHz, so the level survives the rate change.
  double before = rms(downmix_to_mono(stereo));
  EXPECT_GT(before, 100.0);
  EXPECT_NEAR(rms(mono.samples), before, before * 0.05);
}

TEST(ToMono, KeepsRateWhenItAlreadyMatches) {
  auto stereo = buffer(16000, 2, {10, 20, -10, -20});
  AudioBuffer mono = to_mono(stereo, 16000);
  EXPECT_EQ(mono.samples, (std::vector<int16_t>{15, -15}));
  EXPECT_EQ(mono.sample_rate, 16000);
}

TEST(ToMono, RejectsBadRates) {
  EXPECT_THROW(to_mono(buffer(0, 1, {1, 2, 3}), 16000), Error);
  EXPECT_THROW(to_mono(buffer(16000, 1, {1, 2, 3}), 0), Error);
}

}  // namespace
}  // namespace tektra
