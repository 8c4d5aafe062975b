// flite engine: voices, audio, rate, phoneme timings, errors, concurrency, hostile text.
#include "tts/flite_synthesizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

#include "tts/speech_checks.h"

namespace tektra {
namespace {

using test::error_code;
using test::phoneme_names;
using test::rms;
using test::timings_are_consistent;

constexpr const char* kSentence = "The time is ten past three.";

TEST(FliteSynthesizer, OffersTheFourCmuVoicesAtTheirNativeRates) {
  auto flite = create_flite_synthesizer();
  EXPECT_EQ(flite->name(), "flite");
  const std::vector<Voice> voices = flite->voices();
  ASSERT_EQ(voices.size(), 4u);
  const std::vector<std::string> names = {"slt", "kal", "awb", "rms"};
  const std::vector<int> rates = {16000, 8000, 16000, 16000};
  const std::vector<std::string> genders = {"female", "male", "male", "male"};
  for (size_t i = 0; i < voices.size(); ++i) {
    EXPECT_EQ(voices[i].name, names[i]);
    EXPECT_EQ(voices[i].engine, "flite");
    EXPECT_EQ(voices[i].sample_rate, rates[i]) << names[i];
    EXPECT_EQ(voices[i].gender, genders[i]) << names[i];
    EXPECT_EQ(voices[i].language.rfind("en-", 0), 0u) << names[i];
  }
}

TEST(FliteSynthesizer, EveryVoiceSpeaksASentenceAudiblyAtItsOwnRate) {
  auto flite = create_flite_synthesizer();
  for (const Voice& voice : flite->voices()) {
    const Speech speech = flite->synthesize(kSentence, voice.name, 1.0);
    EXPECT_EQ(speech.audio.sample_rate, voice.sample_rate) << voice.name;
    EXPECT_EQ(speech.audio.channels, 1) << voice.name;
    EXPECT_GT(speech.audio.duration_seconds(), 0.8) << voice.name;
    EXPECT_LT(speech.audio.duration_seconds(), 4.0) << voice.name;
    EXPECT_GT(rms(speech.audio), 1000) << voice.name;
  }
}

TEST(FliteSynthesizer, RateScalesTheDuration) {
  auto flite = create_flite_synthesizer();
  for (const Voice& voice : flite->voices()) {
    const double normal = flite->synthesize(kSentence, voice.name, 1.0).audio.duration_seconds();
    const double fast = flite->synthesize(kSentence, voice.name, 2.0).audio.duration_seconds();
    const double slow = flite->synthesize(kSentence, voice.name, 0.5).audio.duration_seconds();
    EXPECT_LT(fast, normal * 0.6) << voice.name;
    EXPECT_GT(slow, normal * 1.7) << voice.name;
  }
}

TEST(FliteSynthesizer, HelloIsSpokenAsItsArpabetPhones) {
  auto flite = create_flite_synthesizer();
  const std::vector<std::string> expected = {"pau", "hh", "ax", "l", "ow", "pau"};
  for (const Voice& voice : flite->voices()) {
    const Speech speech = flite->synthesize("hello", voice.name, 1.0);
    EXPECT_EQ(phoneme_names(speech), expected) << voice.name;
    EXPECT_TRUE(timings_are_consistent(speech)) << voice.name;
  }
}

TEST(FliteSynthesizer, PhonemeTimingsSpanTheAudioAndFollowTheRate) {
  auto flite = create_flite_synthesizer();
  const std::vector<std::string> expected = {"pau", "dh", "ax", "t",  "ay", "m",  "ih",
                                             "z",   "t",  "eh", "n",  "p",  "ae", "s",
                                             "t",   "th", "r",  "iy", "pau"};
  for (const Voice& voice : flite->voices()) {
    for (double rate : {1.0, 2.0}) {
      const Speech speech = flite->synthesize(kSentence, voice.name, rate);
      ASSERT_TRUE(timings_are_consistent(speech)) << voice.name << " at " << rate;
      EXPECT_EQ(phoneme_names(speech), expected) << voice.name;
      EXPECT_DOUBLE_EQ(speech.phonemes.front().start_s, 0.0);
      // Contiguous: every phone starts where the previous one ended.
      for (size_t i = 1; i < speech.phonemes.size(); ++i) {
        EXPECT_DOUBLE_EQ(speech.phonemes[i].start_s, speech.phonemes[i - 1].end_s);
      }
      EXPECT_NEAR(speech.phonemes.back().end_s, speech.audio.duration_seconds(), 0.01)
          << voice.name;
    }
  }
}

TEST(FliteSynthesizer, SpeechIsWhereThePhonesSayItIs) {
  // The leading pause must be quiet and the vowel loud: timings line up with the samples.
  auto flite = create_flite_synthesizer();
  for (const Voice& voice : flite->voices()) {
    const Speech speech = flite->synthesize("hello", voice.name, 1.0);
    const auto slice = [&](const PhonemeTiming& p) {
      AudioBuffer part = speech.audio;
      const auto from = static_cast<size_t>(p.start_s * part.sample_rate);
      const auto to = static_cast<size_t>(p.end_s * part.sample_rate);
      part.samples.assign(speech.audio.samples.begin() + from, speech.audio.samples.begin() + to);
      return part;
    };
    const double pause = rms(slice(speech.phonemes.front()));
    const double vowel = rms(slice(speech.phonemes[4]));  // "ow"
    EXPECT_GT(vowel, 10 * pause + 500) << voice.name << " pause " << pause << " vowel " << vowel;
  }
}

TEST(FliteSynthesizer, RejectsUnknownVoicesBlankTextAndBadRates) {
  auto flite = create_flite_synthesizer();
  try {
    flite->synthesize("hello", "nobody", 1.0);
    FAIL() << "expected unknown_voice";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "unknown_voice");
    EXPECT_NE(std::string(e.what()).find("nobody"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("slt, kal, awb, rms"), std::string::npos) << e.what();
  }
  EXPECT_EQ(error_code([&] { flite->synthesize("hello", "", 1.0); }), "unknown_voice");
  EXPECT_EQ(error_code([&] { flite->synthesize("hello", "SLT", 1.0); }), "unknown_voice");
  for (const std::string& blank :
       std::vector<std::string>{"", " ", " \t\r\n ", "\x01\x02\x7f", std::string(3, '\0')}) {
    EXPECT_EQ(error_code([&] { flite->synthesize(blank, "slt", 1.0); }), "empty_text");
  }
  for (double rate : {0.0, -1.0, 0.2, 4.5, std::numeric_limits<double>::quiet_NaN(),
                      std::numeric_limits<double>::infinity()}) {
    EXPECT_EQ(error_code([&] { flite->synthesize("hello", "slt", rate); }), "invalid_rate") << rate;
  }
  EXPECT_GT(flite->synthesize("hello", "slt", kMinSpeakingRate).audio.duration_seconds(), 0);
  EXPECT_GT(flite->synthesize("hello", "slt", kMaxSpeakingRate).audio.duration_seconds(), 0);
}

TEST(FliteSynthesizer, ConcurrentSynthesisMatchesSingleThreaded) {
  auto flite = create_flite_synthesizer();
  // Two threads share slt, the others use kal and awb; rates differ so a leak of one utterance's
  // rate into another would show.
  struct Job {
    std::string voice;
    double rate;
  };
  const std::vector<Job> jobs = {{"slt", 1.0}, {"slt", 1.5}, {"kal", 1.0}, {"awb", 0.8}};
  const std::string text = "Concurrent speech must not disturb other voices or rates.";
  std::vector<Speech> expected;
  for (const Job& job : jobs) expected.push_back(flite->synthesize(text, job.voice, job.rate));

  std::vector<std::vector<Speech>> results(jobs.size());
  std::vector<std::thread> threads;
  for (size_t t = 0; t < jobs.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 6; ++i)
        results[t].push_back(flite->synthesize(text, jobs[t].voice, jobs[t].rate));
    });
  }
  for (std::thread& thread : threads) thread.join();

  for (size_t t = 0; t < jobs.size(); ++t) {
    for (const Speech& speech : results[t]) {
      EXPECT_EQ(speech.audio.samples.size(), expected[t].audio.samples.size()) << jobs[t].voice;
      ASSERT_EQ(speech.phonemes.size(), expected[t].phonemes.size()) << jobs[t].voice;
      for (size_t i = 0; i < speech.phonemes.size(); ++i) {
        EXPECT_EQ(speech.phonemes[i].phoneme, expected[t].phonemes[i].phoneme);
        EXPECT_DOUBLE_EQ(speech.phonemes[i].end_s, expected[t].phonemes[i].end_s);
      }
      if (jobs[t].voice == "kal") {
        // The diphone voice is deterministic; the clustergen voices mix in random noise
        // excitation (rand()), so only their timing and loudness can be compared.
        EXPECT_EQ(speech.audio.samples, expected[t].audio.samples);
      } else {
        EXPECT_NEAR(rms(speech.audio), rms(expected[t].audio), 0.1 * rms(expected[t].audio));
      }
    }
  }
}

TEST(FliteSynthesizer, SpeaksTenKilobytesOfText) {
  test::expect_speaks_ten_kilobytes(*create_flite_synthesizer(), "kal");
}

TEST(FliteSynthesizer, OddCharactersNeverCrash) {
  auto flite = create_flite_synthesizer();
  std::vector<std::string> voices;
  for (const Voice& voice : flite->voices()) voices.push_back(voice.name);
  test::expect_odd_text_never_crashes(*flite, voices, 300);
}

}  // namespace
}  // namespace tektra
