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

// About 1,500 words of prose: several minutes of audible speech with consistent timings.
inline void expect_speaks_ten_kilobytes(SpeechSynthesizer& synthesizer, const std::string& voice) {
  const std::string paragraph =
      "Tektra listens, thinks and answers on your own machine. It keeps every conversation "
      "local, and it speaks each sentence as soon as the sentence is ready. ";
  std::string text;
  while (text.size() < 10 * 1024) text += paragraph;
  const Speech speech = synthesizer.synthesize(text, voice, 1.0);
  EXPECT_GT(speech.audio.duration_seconds(), 300);
  EXPECT_LT(speech.audio.duration_seconds(), 1500);
  EXPECT_GT(rms(speech.audio), 1000);
  EXPECT_GT(speech.phonemes.size(), 5000u);
  EXPECT_TRUE(timings_are_consistent(speech));
}

// Hostile text every engine must survive with consistent timings; `longest_word` bounds the one
// enormous word (letter-to-sound rules are slow on it in some engines).
inline void expect_odd_text_never_crashes(SpeechSynthesizer& synthesizer,
                                          const std::vector<std::string>& voices,
                                          size_t longest_word) {
  std::string every_byte;
  for (int c = 1; c < 256; ++c) every_byte.push_back(static_cast<char>(c));
  const std::vector<std::string> odd = {
      "caf\xc3\xa9 na\xc3\xafve r\xc3\xa9sum\xc3\xa9",       // Latin accents
      "\xf0\x9f\x98\x80\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd",    // emoji with a skin-tone modifier
      "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",                // CJK
      "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd9\x85\xd8\xb1",   // right-to-left scripts
      "\xff\xfe\xc3\x28 broken utf8 \xe2\x82",               // invalid and truncated UTF-8
      "a\xcc\x81\xe2\x80\x8d\xe2\x80\x8b zero width",        // combining mark, ZWJ, ZWSP
      std::string("nul\0inside", 10),                        // an embedded NUL
      "<speak><break time='3s'/></speak> & [[h@l'oU]] {}",   // markup that must stay text
      "3:45 pm, $3.50, 50%, #1, @user, http://x.com/a?b=c",  // symbols
      std::string(longest_word, 'a'),                        // one enormous word
      "!!!???...,,,;;;",                                     // only punctuation
      every_byte,
  };
  for (const std::string& voice : voices) {
    for (const std::string& text : odd) {
      const Speech speech = synthesizer.synthesize(text, voice, 1.0);
      EXPECT_TRUE(timings_are_consistent(speech)) << voice;
    }
  }
}

}  // namespace tektra::test
