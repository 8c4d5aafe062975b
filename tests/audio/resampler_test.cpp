// Resampler: pitch and level are kept, lengths follow the rate ratio, streaming equals one-shot.
#include "audio/resampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "audio/wav.h"
#include "core/error.h"
#include "support/fixtures.h"

namespace tektra {
namespace {

constexpr int kRates[] = {8000, 16000, 22050, 24000, 44100, 48000};

std::vector<int16_t> sine(double hz, int rate, double seconds, double amplitude) {
  std::vector<int16_t> out(static_cast<size_t>(seconds * rate));
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<int16_t>(
        std::lround(amplitude * std::sin(2 * std::numbers::pi * hz * i / rate)));
  }
  return out;
}

// Frequency from the interpolated positions of the first and last upward zero crossings, ignoring
// the first and last 10% where filter edges live.
double measured_hz(const std::vector<int16_t>& x, int rate) {
  size_t begin = x.size() / 10;
  size_t end = x.size() - x.size() / 10;
  double first = -1;
  double last = -1;
  int crossings = 0;
  for (size_t i = begin + 1; i < end; ++i) {
    if (x[i - 1] < 0 && x[i] >= 0) {
      double at = static_cast<double>(i - 1) + static_cast<double>(-x[i - 1]) / (x[i] - x[i - 1]);
      if (first < 0) {
        first = at;
      } else {
        ++crossings;
      }
      last = at;
    }
  }
  return crossings > 0 ? crossings * rate / (last - first) : 0.0;
}

double rms(std::span<const int16_t> x) {
  double sum = 0;
  for (int16_t s : x) sum += static_cast<double>(s) * s;
  return x.empty() ? 0.0 : std::sqrt(sum / static_cast<double>(x.size()));
}

std::span<const int16_t> middle(const std::vector<int16_t>& x) {
  return std::span<const int16_t>(x).subspan(x.size() / 10, x.size() - x.size() / 5);
}

std::vector<int16_t> streamed(const std::vector<int16_t>& in, int in_rate, int out_rate,
                              size_t chunk) {
  Resampler resampler(in_rate, out_rate);
  std::vector<int16_t> out;
  for (size_t pos = 0; pos < in.size(); pos += chunk) {
    auto part = std::span<const int16_t>(in).subspan(pos, std::min(chunk, in.size() - pos));
    resampler.process(part, out);
  }
  auto tail = resampler.flush();
  out.insert(out.end(), tail.begin(), tail.end());
  return out;
}

TEST(Resampler, SineKeepsItsFrequencyLevelAndLengthForEveryRatePair) {
  for (int in_rate : kRates) {
    for (int out_rate : kRates) {
      SCOPED_TRACE(std::to_string(in_rate) + " -> " + std::to_string(out_rate));
      auto in = sine(1000.0, in_rate, 1.0, 10000.0);
      auto out = resample(in, in_rate, out_rate);
      double expected_length = static_cast<double>(in.size()) * out_rate / in_rate;
      EXPECT_NEAR(static_cast<double>(out.size()), expected_length, 1.0);
      EXPECT_NEAR(measured_hz(out, out_rate), 1000.0, 0.5);
      EXPECT_NEAR(rms(middle(out)), 10000.0 / std::sqrt(2.0), 10000.0 * 0.01);
    }
  }
}

TEST(Resampler, KeepsTheUpperSpeechBand) {
  // 3.3 kHz is near the top of telephone speech: it must survive 8 kHz, and 6.5 kHz 16 kHz.
  auto narrow = resample(sine(3300.0, 48000, 1.0, 10000.0), 48000, 8000);
  EXPECT_NEAR(rms(middle(narrow)), 10000.0 / std::sqrt(2.0), 10000.0 * 0.05);
  auto wide = resample(sine(6500.0, 48000, 1.0, 10000.0), 48000, 16000);
  EXPECT_NEAR(rms(middle(wide)), 10000.0 / std::sqrt(2.0), 10000.0 * 0.05);
}

TEST(Resampler, RejectsWhatWouldAlias) {
  // 12 kHz cannot exist at 16 kHz; without the anti-alias filter it would fold to 4 kHz.
  auto out = resample(sine(12000.0, 48000, 1.0, 20000.0), 48000, 16000);
  EXPECT_LT(rms(middle(out)), 20000.0 / std::sqrt(2.0) * 1e-3);  // at least 60 dB down
}

TEST(Resampler, OutputIsNotDelayed) {
  // A tone burst starting at 0.5 s must start at 0.5 s in the output too.
  for (auto [in_rate, out_rate] :
       {std::pair{48000, 16000}, {8000, 16000}, {16000, 24000}, {44100, 16000}}) {
    SCOPED_TRACE(std::to_string(in_rate) + " -> " + std::to_string(out_rate));
    std::vector<int16_t> in(static_cast<size_t>(in_rate), 0);
    auto tone = sine(1000.0, in_rate, 0.5, 10000.0);
    std::copy(tone.begin(), tone.end(), in.begin() + in_rate / 2);
    auto out = resample(in, in_rate, out_rate);
    size_t onset = 0;
    while (onset < out.size() && std::abs(out[onset]) < 2000) ++onset;
    double onset_ms = 1000.0 * static_cast<double>(onset) / out_rate;
    EXPECT_NEAR(onset_ms, 500.0, 1.0);
  }
}

TEST(Resampler, StreamingIn20MsChunksEqualsOneShot) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  TEKTRA_REQUIRE_FIXTURE("turn_on_the_living_room_lamp.wav");
  auto jfk = read_wav(test::fixture("jfk.wav")).samples;
  auto lamp = downmix_to_mono(read_wav(test::fixture("turn_on_the_living_room_lamp.wav")));
  struct Case {
    const std::vector<int16_t>* pcm;
    int in_rate;
    int out_rate;
  };
  for (auto c : {Case{&jfk, 16000, 8000}, Case{&jfk, 16000, 24000}, Case{&jfk, 16000, 48000},
                 Case{&lamp, 44100, 16000}, Case{&lamp, 44100, 22050}}) {
    SCOPED_TRACE(std::to_string(c.in_rate) + " -> " + std::to_string(c.out_rate));
    auto whole = resample(*c.pcm, c.in_rate, c.out_rate);
    auto chunked = streamed(*c.pcm, c.in_rate, c.out_rate, static_cast<size_t>(c.in_rate / 50));
    ASSERT_EQ(chunked.size(), whole.size());
    int worst = 0;
    for (size_t i = 0; i < whole.size(); ++i)
      worst = std::max(worst, std::abs(whole[i] - chunked[i]));
    EXPECT_LE(worst, 1);
  }
}

TEST(Resampler, OddChunkSizesAndEmptyChunksChangeNothing) {
  auto in = sine(440.0, 44100, 0.5, 8000.0);
  auto reference = streamed(in, 44100, 16000, 882);
  for (size_t chunk : {1u, 7u, 441u, 1000u, 22050u}) {
    SCOPED_TRACE(chunk);
    EXPECT_EQ(streamed(in, 44100, 16000, chunk), reference);
  }
  // An empty span must not be taken as end-of-stream.
  Resampler resampler(44100, 16000);
  std::vector<int16_t> out;
  resampler.process(std::span<const int16_t>(in).first(10000), out);
  resampler.process({}, out);
  resampler.process(std::span<const int16_t>(in).subspan(10000), out);
  auto tail = resampler.flush();
  out.insert(out.end(), tail.begin(), tail.end());
  EXPECT_EQ(out, reference);
}

TEST(Resampler, FlushReadiesItForANewStream) {
  auto in = sine(700.0, 8000, 0.3, 12000.0);
  Resampler resampler(8000, 16000);
  auto first = resampler.process(in);
  auto first_tail = resampler.flush();
  EXPECT_FALSE(first_tail.empty());  // the filter did hold back a tail
  auto second = resampler.process(in);
  auto second_tail = resampler.flush();
  EXPECT_EQ(second, first);
  EXPECT_EQ(second_tail, first_tail);
}

TEST(Resampler, EqualRatesPassSamplesThrough) {
  auto in = sine(1234.0, 16000, 0.1, 30000.0);
  Resampler resampler(16000, 16000);
  EXPECT_EQ(resampler.process(in), in);
  EXPECT_TRUE(resampler.flush().empty());
  EXPECT_EQ(resample(in, 22050, 22050), in);
}

TEST(Resampler, EmptyInputGivesEmptyOutput) {
  EXPECT_TRUE(resample({}, 48000, 16000).empty());
  Resampler resampler(16000, 8000);
  EXPECT_TRUE(resampler.process({}).empty());
  EXPECT_TRUE(resampler.flush().empty());
}

TEST(Resampler, RejectsRatesOutOfRange) {
  for (auto [in_rate, out_rate] :
       {std::pair{0, 16000}, {16000, 0}, {-8000, 16000}, {999, 16000}, {16000, 400000}}) {
    try {
      Resampler resampler(in_rate, out_rate);
      ADD_FAILURE() << in_rate << " -> " << out_rate << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), "invalid_audio");
    }
    EXPECT_THROW(resample(std::vector<int16_t>{1, 2, 3}, in_rate, out_rate), Error);
  }
}

TEST(Resampler, FullScaleInputDoesNotWrapAround) {
  // A full-scale square wave overshoots after filtering; it must clip, not wrap to the other sign.
  std::vector<int16_t> square(48000);
  for (size_t i = 0; i < square.size(); ++i) square[i] = (i / 48) % 2 ? 32767 : -32768;
  auto out = resample(square, 48000, 16000);
  for (size_t i = 16; i + 16 < out.size(); ++i) {
    size_t source = i * 3;
    if (source % 48 < 6 || source % 48 > 42) continue;  // near an edge either sign is fine
    bool high = (source / 48) % 2;
    ASSERT_EQ(out[i] > 0, high) << "sample " << i << " = " << out[i];
  }
}

}  // namespace
}  // namespace tektra
