// Prints what TTS adds to voice-to-voice latency; timings are reported, never asserted.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "tts/speech_checks.h"
#include "tts/tts.h"

namespace tektra {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Seconds of near-silence before the first audible sample: heard as latency too.
double leading_silence(const AudioBuffer& audio) {
  const auto loud = std::find_if(audio.samples.begin(), audio.samples.end(),
                                 [](int16_t s) { return std::abs(s) > 1000; });
  return static_cast<double>(loud - audio.samples.begin()) / audio.sample_rate;
}

TEST(TtsLatency, ReportsRealTimeFactorAndTimeToFirstAudio) {
  const auto created = Clock::now();
  VoiceCatalog catalog = create_voice_catalog();
  const double creation_s = seconds_since(created);
  std::printf("voice catalog created in %.1f ms (includes engine start-up when first in process)\n",
              creation_s * 1000);

  // A typical first sentence of a reply, then a longer one for throughput.
  const std::string first = "Sure, it is ten past three.";
  const std::string longer =
      "Tomorrow will be mostly sunny with a light breeze from the west, and the temperature "
      "should reach about twenty one degrees by the middle of the afternoon.";
  std::printf("%-8s %-10s %6s %9s %9s %9s %9s %8s\n", "voice", "engine", "rate_hz", "first_ms",
              "warm_ms", "lead_ms", "audio_s", "rtf");
  const std::vector<Voice> voices = catalog.voices();
  for (const char* name : {"slt", "kal", "awb", "rms", "en-us", "en-gb", "en"}) {
    const auto voice =
        std::find_if(voices.begin(), voices.end(), [&](const Voice& v) { return v.name == name; });
    ASSERT_NE(voice, voices.end()) << name;
    auto start = Clock::now();
    const Speech cold = catalog.synthesize(first, name);
    const double first_s = seconds_since(start);  // includes loading the voice on first use

    double warm_s = 1e9;
    for (int i = 0; i < 5; ++i) {
      start = Clock::now();
      catalog.synthesize(first, name);
      warm_s = std::min(warm_s, seconds_since(start));
    }
    start = Clock::now();
    const Speech speech = catalog.synthesize(longer, name);
    const double synthesis_s = seconds_since(start);
    const double audio_s = speech.audio.duration_seconds();
    ASSERT_GT(audio_s, 0) << name;
    ASSERT_GT(test::rms(cold.audio), 0) << name;
    std::printf("%-8s %-10s %6d %9.1f %9.1f %9.1f %9.2f %8.4f\n", name, voice->engine.c_str(),
                speech.audio.sample_rate, first_s * 1000, warm_s * 1000,
                leading_silence(cold.audio) * 1000, audio_s, synthesis_s / audio_s);
  }
  std::printf(
      "first_ms: first synthesis of \"%s\"; warm_ms: best of 5 repeats; lead_ms: silence\n"
      "before the first audible sample; rtf: synthesis time / audio duration (longer text)\n",
      first.c_str());
}

}  // namespace
}  // namespace tektra
