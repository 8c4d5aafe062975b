// Echo cancellation on real speech: the assistant's reply, played into a synthetic room (a direct
// path 50-250 ms after it was sent, then a reverberant tail) and picked up by the microphone, is
// removed; what the user says over it is kept. Both engines, with and without delay alignment.
#include "audio/echo_canceller.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <random>

#include "audio/echo_room.h"
#include "core/error.h"
#include "support/fixtures.h"
#include "support/thrown.h"

namespace tektra {
namespace {

using test::speech;

constexpr int kRate = EchoCanceller::kRate;
constexpr size_t kFrame = EchoCanceller::kFrame;

// Runs the canceller over the whole signal, frame by frame.
std::vector<int16_t> cancel(EchoCanceller& aec, const std::vector<int16_t>& mic,
                            const std::vector<int16_t>& far) {
  std::vector<int16_t> out;
  for (size_t at = 0; at + kFrame <= mic.size(); at += kFrame) {
    auto frame =
        aec.process(std::span(mic).subspan(at, kFrame), std::span(far).subspan(at, kFrame));
    out.insert(out.end(), frame.begin(), frame.end());
  }
  return out;
}

// The reply echoed by a room `delay_ms` late, with a quiet microphone's own hiss.
std::vector<int16_t> echoed(const std::vector<float>& reply, int delay_ms, uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<float> hiss(0, 3);
  auto mic = convolve(reply, room_impulse_response(delay_ms, 150, seed + 4));
  for (auto& s : mic) s += hiss(random);
  return to_pcm(mic);
}

struct Variant {
  const char* label;
  EchoCancellerSettings settings;
  double min_kept, min_correlation;  // double-talk floors: WebRTC's suppressor is harsher
};

// Unaligned, the speex filter must span delay and reverberation; aligned, only the reverberation
// (150 ms, 60 dB down; 120 ms is 48 dB down) and the aligner's margin.
const Variant kVariants[] = {
    {"speex 250 ms tail", {.tail_ms = 250, .engine = "speex"}, 0.5, 0.6},
    {"speex 500 ms tail", {.tail_ms = 500, .engine = "speex"}, 0.4, 0.6},
    {"speex aligned, 120 ms tail",
     {.tail_ms = 120, .engine = "speex", .align_delay = true},
     0.6,
     0.7},
    {"webrtc", {.engine = "webrtc"}, 0.15, 0.45},
    {"webrtc aligned", {.engine = "webrtc", .align_delay = true}, 0.05, 0.5},
};

TEST(EchoCanceller, RemovesTheRepliesOwnEchoFromARoom) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  const auto reply = speech("jfk.wav", 11);
  const auto far = to_pcm(reply);
  std::map<std::pair<std::string, int>, double> erle, convergence;
  for (int delay_ms : {50, 150, 250}) {
    const auto mic = echoed(reply, delay_ms, 7);
    for (const auto& variant : kVariants) {
      auto aec = create_echo_canceller(variant.settings);
      const auto out = cancel(*aec, mic, far);
      const double converged = erle_db(mic, out, 2.0, 11.0);
      std::printf(
          "[ MEASURE  ] %-27s echo %3d ms: ERLE %5.1f dB over 0.2-1 s, %5.1f dB over 1-11 s, "
          "%5.1f dB over 2-11 s; 20 dB from %.1f s after onset; delay estimate %.1f ms\n",
          variant.label, delay_ms, erle_db(mic, out, 0.2, 1.0), erle_db(mic, out, 1.0, 11.0),
          converged, convergence_s(mic, out, 20), aec->estimated_delay_ms());
      erle[{variant.label, delay_ms}] = converged;
      convergence[{variant.label, delay_ms}] = convergence_s(mic, out, 20);
      if (variant.settings.align_delay) {
        EXPECT_NEAR(aec->estimated_delay_ms(), delay_ms, 10) << variant.label;
      }
    }
  }
  // Floors a few dB under what was measured (speex aligned 29.7 / 26.2 / 21.7 dB, WebRTC aligned
  // 34.7 / 50.7 / 57.2 dB, 20 dB held from 1.1 / 1.2 s after the echo starts at 150 / 250 ms).
  for (int delay_ms : {50, 150, 250}) {
    EXPECT_GE((erle[{"speex aligned, 120 ms tail", delay_ms}]), 18.0) << delay_ms;
    EXPECT_GE((erle[{"webrtc aligned", delay_ms}]), 30.0) << delay_ms;
  }
  for (int delay_ms : {150, 250}) {
    EXPECT_GE((convergence[{"webrtc aligned", delay_ms}]), 0.0) << delay_ms;
    EXPECT_LE((convergence[{"webrtc aligned", delay_ms}]), 2.0) << delay_ms;
  }
  // Alignment is what makes late echo cancellable at all.
  EXPECT_GT((erle[{"webrtc aligned", 250}]), (erle[{"webrtc", 250}]) + 20);
  EXPECT_GT((erle[{"speex aligned, 120 ms tail", 250}]), (erle[{"speex 500 ms tail", 250}]) + 6);
}

TEST(EchoCanceller, KeepsWhatTheUserSaysOverTheReply) {
  TEKTRA_REQUIRE_FIXTURE("sense_and_sensibility_01_austen_64kb-0880.wav");
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  const auto reply = speech("jfk.wav", 10);
  const auto user = speech("sense_and_sensibility_01_austen_64kb-0880.wav", 3);
  const auto echo = convolve(reply, room_impulse_response(150, 150, 9));
  // The user speaks from second 5, as loud as the echo.
  const size_t at = 5 * kRate;
  std::vector<float> mic_f = echo, alone(echo.size(), 0.0f);
  for (size_t i = 0; i < user.size() && at + i < mic_f.size(); ++i) {
    alone[at + i] = 0.5f * user[i];
    mic_f[at + i] += alone[at + i];
  }
  const auto mic = to_pcm(mic_f), far = to_pcm(reply), clean = to_pcm(alone);
  const size_t n = std::min(user.size(), mic.size() - at);
  for (const auto& variant : kVariants) {
    auto aec = create_echo_canceller(variant.settings);
    const auto out = cancel(*aec, mic, far);
    // Over the user's words the output keeps their energy and their waveform.
    const double kept =
        energy(std::span(out).subspan(at, n)) / energy(std::span(clean).subspan(at, n));
    const double before = test::correlation(mic, clean, at, n);
    const double after = test::correlation(out, clean, at, n);
    std::printf(
        "[ MEASURE  ] %-27s double talk: %3.0f %% of the user's energy kept, correlation with "
        "the clean user %.2f (microphone %.2f); ERLE before the user %.1f dB\n",
        variant.label, kept * 100, after, before, erle_db(mic, out, 2.0, 5.0));
    EXPECT_GT(kept, variant.min_kept) << variant.label;
    EXPECT_GT(after, variant.min_correlation) << variant.label;
  }
}

// Pink noise from white by Paul Kellet's economy filter.
std::vector<float> noise(size_t n, bool pink, uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<float> white(0, 1);
  std::vector<float> out(n);
  float b0 = 0, b1 = 0, b2 = 0;
  for (auto& s : out) {
    const float w = white(random);
    if (!pink) {
      s = w;
      continue;
    }
    b0 = 0.99765f * b0 + w * 0.0990460f;
    b1 = 0.96300f * b1 + w * 0.2965164f;
    b2 = 0.57000f * b2 + w * 1.0526913f;
    s = b0 + b1 + b2 + w * 0.1848f;
  }
  return out;
}

// Output SNR: the part of the output that is the clean speech (best gain and lag) against the
// rest, which counts both the noise left and any damage to the speech.
double snr_db(const std::vector<int16_t>& out, const std::vector<float>& clean, size_t from) {
  double best = -1e9;
  for (size_t lag = 0; lag <= 480; lag += 4) {
    double xy = 0, yy = 0, xx = 0;
    for (size_t i = from; i + lag < out.size() && i < clean.size(); ++i) {
      xy += double(out[i + lag]) * clean[i], yy += double(clean[i]) * clean[i];
      xx += double(out[i + lag]) * out[i + lag];
    }
    const double a = xy / yy, signal = a * a * yy, rest = xx - 2 * a * xy + a * a * yy;
    best = std::max(best, 10 * std::log10(signal / std::max(1.0, rest)));
  }
  return best;
}

const char* const kLevelNames[] = {"off,", "low,", "moderate,", "high,", "very_high,"};

TEST(NoiseSuppression, RaisesTheSnrOfSpeechInStationaryNoise) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  const auto words = speech("jfk.wav", 11);
  // One second of noise alone to learn it from, then the speech, 5 dB above the noise.
  std::vector<float> clean(kRate, 0.0f);
  clean.insert(clean.end(), words.begin(), words.end());
  double speech_power = 0;
  for (float s : words) speech_power += double(s) * s;
  speech_power /= double(words.size());
  const std::vector<int16_t> silence(clean.size(), 0);
  for (bool pink : {false, true}) {
    auto n = noise(clean.size(), pink, 11);
    double noise_power = 0;
    for (float s : n) noise_power += double(s) * s;
    noise_power /= double(n.size());
    const float scale = float(std::sqrt(speech_power / noise_power / std::pow(10.0, 0.5)));
    std::vector<float> noisy(clean.size());
    for (size_t i = 0; i < noisy.size(); ++i) noisy[i] = clean[i] + scale * n[i];
    const auto mic = to_pcm(noisy);
    const double input = snr_db(mic, clean, kRate);
    for (const char* engine : {"speex", "webrtc"}) {
      for (auto level :
           {NoiseSuppression::moderate, NoiseSuppression::high, NoiseSuppression::very_high}) {
        auto aec = create_echo_canceller({.engine = engine, .noise_suppression = level});
        const double output = snr_db(cancel(*aec, mic, silence), clean, kRate);
        std::printf("[ MEASURE  ] %-6s NS %-9s %s noise: SNR %.1f dB -> %.1f dB (%+.1f dB)\n",
                    engine, kLevelNames[int(level)], pink ? "pink" : "white", input, output,
                    output - input);
        EXPECT_GT(output - input, 3.0) << engine << " level " << int(level);
      }
    }
  }
}

TEST(EchoCanceller, AgcBringsQuietSpeechUp) {
  TEKTRA_REQUIRE_FIXTURE("jfk.wav");
  auto words = speech("jfk.wav", 11);
  for (auto& s : words) s *= 0.05f;  // about -26 dB
  const auto mic = to_pcm(words);
  const std::vector<int16_t> silence(mic.size(), 0);
  for (const char* engine : {"speex", "webrtc"}) {
    auto aec = create_echo_canceller({.suppress_residual = false, .engine = engine, .agc = true});
    const auto out = cancel(*aec, mic, silence);
    const double gain = -erle_db(mic, out, 3.0, 11.0);
    std::printf("[ MEASURE  ] %-6s AGC: %+.1f dB on speech at -26 dB of the fixture\n", engine,
                gain);
    EXPECT_GT(gain, 3.0) << engine;
  }
}

TEST(EchoCanceller, WrongFramesAndSettingsAreClearErrors) {
  for (const char* engine : {"speex", "webrtc"}) {
    auto aec = create_echo_canceller({.engine = engine, .align_delay = true});
    EXPECT_EQ(aec->name(), engine);
    std::vector<int16_t> ten_ms(kFrame), short_frame(100);
    EXPECT_EQ(test::thrown_code([&] { aec->process(short_frame, ten_ms); }), "invalid_audio");
    EXPECT_EQ(test::thrown_code([&] { aec->process(ten_ms, short_frame); }), "invalid_audio");
    EXPECT_EQ(aec->process(ten_ms, ten_ms).size(), kFrame);
  }
  EXPECT_EQ(test::thrown_code([] { create_echo_canceller({.engine = "aecm"}); }), "unknown_engine");
  EXPECT_EQ(test::thrown_code([] { SpeexEchoCanceller({.tail_ms = 5}); }), "invalid_value");
  EXPECT_EQ(test::thrown_code([] { WebRtcEchoCanceller({.engine = "webrtc", .max_delay_ms = 0}); }),
            "invalid_value");
}

}  // namespace
}  // namespace tektra
