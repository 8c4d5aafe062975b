// Measurements the TTS tests make on synthesised speech.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "tts/tts.h"

namespace tektra::test {

inline double rms(const AudioBuffer& audio) {
  if (audio.samples.empty()) return 0;
  double sum = 0;
  for (int16_t sample : audio.samples) sum += static_cast<double>(sample) * sample;
  return std::sqrt(sum / static_cast<double>(audio.samples.size()));
}

inline std::vector<std::string> phoneme_names(const Speech& speech) {
  std::vector<std::string> names;
  for (const PhonemeTiming& phoneme : speech.phonemes) names.push_back(phoneme.phoneme);
  return names;
}

// Timings are named, in order, non-overlapping, each of positive length and inside the audio.
inline ::testing::AssertionResult timings_are_consistent(const Speech& speech) {
  const double duration = speech.audio.duration_seconds();
  double previous_end = 0;
  for (size_t i = 0; i < speech.phonemes.size(); ++i) {
    const PhonemeTiming& p = speech.phonemes[i];
    if (p.phoneme.empty() || p.start_s < previous_end - 1e-9 || p.end_s <= p.start_s ||
        p.end_s > duration + 1e-9) {
      return ::testing::AssertionFailure()
             << "phoneme " << i << " '" << p.phoneme << "' [" << p.start_s << ", " << p.end_s
             << "] after " << previous_end << " in " << duration << " s of audio";
    }
    previous_end = p.end_s;
  }
  return ::testing::AssertionSuccess();
}

// Runs `call` and returns the tektra::Error code it throws, or "" when it throws nothing.
template <typename Call>
std::string error_code(Call&& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.code();
  }
  return "";
}

}  // namespace tektra::test
