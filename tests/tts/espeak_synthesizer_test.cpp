// espeak-ng engine: voice list, audio, rate, phoneme events, errors, serialised concurrency.
#include "tts/espeak_synthesizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <set>
#include <thread>

#include "tts/speech_checks.h"

namespace tektra {
namespace {

using test::error_code;
using test::phoneme_names;
using test::rms;
using test::timings_are_consistent;

constexpr const char* kSentence = "The time is ten past three.";

const Voice* find(const std::vector<Voice>& voices, const std::string& name) {
  auto it =
      std::find_if(voices.begin(), voices.end(), [&](const Voice& v) { return v.name == name; });
  return it == voices.end() ? nullptr : &*it;
}

std::vector<Voice> english_voices(const std::vector<Voice>& voices) {
  std::vector<Voice> english;
  for (const Voice& voice : voices) {
    if (voice.name == "en" || voice.name.rfind("en-", 0) == 0) english.push_back(voice);
  }
  return english;
}

TEST(EspeakSynthesizer, OffersUniquelyNamedVoicesIncludingEnglishVariants) {
  auto espeak = create_espeak_synthesizer();
  EXPECT_EQ(espeak->name(), "espeak-ng");
  const std::vector<Voice> voices = espeak->voices();
  std::set<std::string> names;
  for (const Voice& voice : voices) {
    EXPECT_TRUE(names.insert(voice.name).second) << "duplicate " << voice.name;
    EXPECT_EQ(voice.engine, "espeak-ng");
    EXPECT_EQ(voice.sample_rate, 22050) << voice.name;
    EXPECT_FALSE(voice.language.empty()) << voice.name;
  }
  for (const char* english : {"en", "en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029"}) {
    EXPECT_TRUE(names.contains(english)) << english;
  }
  for (const char* flite : {"slt", "kal", "awb", "rms"}) EXPECT_FALSE(names.contains(flite));
  for (const char* name : {"en-us", "en-gb-x-rp", "en"}) ASSERT_NE(find(voices, name), nullptr);
  EXPECT_EQ(find(voices, "en-us")->language, "en-US");
  EXPECT_EQ(find(voices, "en-gb-x-rp")->language, "en-GB-x-rp");
  EXPECT_EQ(find(voices, "en")->language, "en");
  EXPECT_EQ(find(voices, "en-us")->gender, "male");
  // Both Cantonese voices share the language "yue"; the second is named after its voice file.
  ASSERT_NE(find(voices, "yue"), nullptr);
  ASSERT_NE(find(voices, "yue-latn-jyutping"), nullptr);
  EXPECT_EQ(find(voices, "yue-latn-jyutping")->language, "yue");
  EXPECT_GT(voices.size(), 100u);  // espeak-ng ships over a hundred languages
}

TEST(EspeakSynthesizer, EveryVoiceSpeaksAudibly) {
  auto espeak = create_espeak_synthesizer();
  for (const Voice& voice : espeak->voices()) {
    // A Latin-script word every language reads (some, such as "he" and "tk", have no rules for
    // digits and stay silent on them), and digits for the many that do.
    const Speech speech = espeak->synthesize("salam 12", voice.name, 1.0);
    EXPECT_EQ(speech.audio.sample_rate, 22050);
    EXPECT_GT(speech.audio.duration_seconds(), 0.5) << voice.name;
    EXPECT_LT(speech.audio.duration_seconds(), 8.0) << voice.name;
    EXPECT_GT(rms(speech.audio), 500) << voice.name;
    EXPECT_TRUE(timings_are_consistent(speech)) << voice.name;
  }
}

TEST(EspeakSynthesizer, EveryEnglishVoiceSpeaksASentenceAudibly) {
  auto espeak = create_espeak_synthesizer();
  const std::vector<Voice> english = english_voices(espeak->voices());
  ASSERT_GE(english.size(), 8u);
  for (const Voice& voice : english) {
    const Speech speech = espeak->synthesize(kSentence, voice.name, 1.0);
    EXPECT_GT(speech.audio.duration_seconds(), 0.8) << voice.name;
    EXPECT_LT(speech.audio.duration_seconds(), 4.0) << voice.name;
    EXPECT_GT(rms(speech.audio), 1000) << voice.name;
  }
}

TEST(EspeakSynthesizer, RateScalesTheDuration) {
  auto espeak = create_espeak_synthesizer();
  for (const char* voice : {"en-us", "en-gb", "de"}) {
    const double normal = espeak->synthesize(kSentence, voice, 1.0).audio.duration_seconds();
    const double fast = espeak->synthesize(kSentence, voice, 2.0).audio.duration_seconds();
    const double slow = espeak->synthesize(kSentence, voice, 0.5).audio.duration_seconds();
    EXPECT_LT(fast, normal * 0.6) << voice;
    EXPECT_GT(slow, normal * 1.7) << voice;
  }
}

TEST(EspeakSynthesizer, HelloIsSpokenAsItsEspeakPhonemes) {
  auto espeak = create_espeak_synthesizer();
  const Speech speech = espeak->synthesize("hello", "en-us", 1.0);
  ASSERT_TRUE(timings_are_consistent(speech));
  // espeak mnemonics; "_:" is the closing pause espeak adds at the end of the text.
  EXPECT_EQ(phoneme_names(speech), (std::vector<std::string>{"h", "@", "l", "oU", "_:"}));
  EXPECT_NEAR(speech.phonemes.back().end_s, speech.audio.duration_seconds(), 0.001);
  // Only the first ~10 ms before "h" carry no phoneme.
  EXPECT_LT(speech.phonemes.front().start_s, 0.05);
}

TEST(EspeakSynthesizer, PhonemeTimingsAreOrderedAndFollowTheRate) {
  auto espeak = create_espeak_synthesizer();
  const Speech normal = espeak->synthesize(kSentence, "en-us", 1.0);
  const Speech fast = espeak->synthesize(kSentence, "en-us", 2.0);
  ASSERT_TRUE(timings_are_consistent(normal));
  ASSERT_TRUE(timings_are_consistent(fast));
  EXPECT_EQ(phoneme_names(normal), phoneme_names(fast));
  EXPECT_GE(normal.phonemes.size(), 16u);
  // The stressed vowel of "three" (i:) starts much earlier when speaking twice as fast.
  const auto vowel_start = [](const Speech& s) {
    for (const PhonemeTiming& p : s.phonemes) {
      if (p.phoneme == "i:") return p.start_s;
    }
    return -1.0;
  };
  EXPECT_GT(vowel_start(normal), 1.0);
  EXPECT_LT(vowel_start(fast), vowel_start(normal) * 0.6);
}

TEST(EspeakSynthesizer, RejectsUnknownVoicesBlankTextAndBadRates) {
  auto espeak = create_espeak_synthesizer();
  try {
    espeak->synthesize("hello", "xx-nowhere", 1.0);
    FAIL() << "expected unknown_voice";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "unknown_voice");
    EXPECT_NE(std::string(e.what()).find("xx-nowhere"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("en-us"), std::string::npos);
  }
  // espeak's own identifiers and display names are not Tektra voice names.
  EXPECT_EQ(error_code([&] { espeak->synthesize("hello", "gmw/en-US", 1.0); }), "unknown_voice");
  EXPECT_EQ(error_code([&] { espeak->synthesize("hello", "slt", 1.0); }), "unknown_voice");
  for (const std::string blank : {"", "   ", "\n\t", "\x01\x1f"}) {
    EXPECT_EQ(error_code([&] { espeak->synthesize(blank, "en-us", 1.0); }), "empty_text");
  }
  for (double rate : {0.0, -2.0, 10.0, std::numeric_limits<double>::quiet_NaN()}) {
    EXPECT_EQ(error_code([&] { espeak->synthesize("hello", "en-us", rate); }), "invalid_rate");
  }
}

TEST(EspeakSynthesizer, ConcurrentCallersGetTheirOwnVoiceAndRate) {
  auto espeak = create_espeak_synthesizer();
  struct Job {
    std::string voice;
    double rate;
  };
  const std::vector<Job> jobs = {{"en-us", 1.0}, {"en-us", 1.6}, {"de", 1.0}, {"en-gb", 0.8}};
  const std::string text = "Concurrent speech must not disturb other voices or rates.";
  std::vector<Speech> expected;
  for (const Job& job : jobs) expected.push_back(espeak->synthesize(text, job.voice, job.rate));

  std::vector<std::vector<Speech>> results(jobs.size());
  std::vector<std::thread> threads;
  for (size_t t = 0; t < jobs.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 6; ++i)
        results[t].push_back(espeak->synthesize(text, jobs[t].voice, jobs[t].rate));
    });
  }
  for (std::thread& thread : threads) thread.join();

  // espeak carries a little state from one call to the next (its pitch flutter), so lengths vary
  // by a few samples; the phonemes and the duration identify voice and rate.
  for (size_t t = 0; t < jobs.size(); ++t) {
    const double duration = expected[t].audio.duration_seconds();
    for (const Speech& speech : results[t]) {
      EXPECT_EQ(phoneme_names(speech), phoneme_names(expected[t])) << jobs[t].voice;
      EXPECT_NEAR(speech.audio.duration_seconds(), duration, 0.02 * duration) << jobs[t].voice;
    }
  }
}

TEST(EspeakSynthesizer, SpeaksTenKilobytesOfText) {
  test::expect_speaks_ten_kilobytes(*create_espeak_synthesizer(), "en-us");
}

TEST(EspeakSynthesizer, OddCharactersNeverCrash) {
  test::expect_odd_text_never_crashes(*create_espeak_synthesizer(), {"en-us", "zh", "ar", "ja"},
                                      2000);
}

}  // namespace
}  // namespace tektra
