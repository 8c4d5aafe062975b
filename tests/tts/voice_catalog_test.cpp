// VoiceCatalog: routing voices to engines, unknown voices, duplicate names, no engines.
#include <gtest/gtest.h>

#include "tts/espeak_synthesizer.h"
#include "tts/flite_synthesizer.h"
#include "tts/speech_checks.h"
#include "tts/tts.h"

namespace tektra {
namespace {

using test::error_code;
using test::rms;

VoiceCatalog both_engines() {
  std::vector<std::unique_ptr<SpeechSynthesizer>> engines;
  engines.push_back(create_flite_synthesizer());
  engines.push_back(create_espeak_synthesizer());
  return VoiceCatalog(std::move(engines));
}

TEST(VoiceCatalog, RoutesEachVoiceToTheEngineThatOwnsIt) {
  VoiceCatalog catalog = both_engines();
  EXPECT_TRUE(catalog.has_voice("slt"));
  EXPECT_TRUE(catalog.has_voice("en-us"));
  EXPECT_FALSE(catalog.has_voice("nobody"));

  const Speech flite = catalog.synthesize("Good morning.", "kal");
  EXPECT_EQ(flite.audio.sample_rate, 8000);
  EXPECT_GT(rms(flite.audio), 1000);
  const Speech espeak = catalog.synthesize("Good morning.", "en-gb", 1.0);
  EXPECT_EQ(espeak.audio.sample_rate, 22050);
  EXPECT_GT(rms(espeak.audio), 1000);
}

TEST(VoiceCatalog, ListsFliteVoicesFirstThenEspeak) {
  VoiceCatalog catalog = both_engines();
  const std::vector<Voice> voices = catalog.voices();
  ASSERT_GT(voices.size(), 4u);
  EXPECT_EQ(voices[0].name, "slt");
  EXPECT_EQ(voices[3].name, "rms");
  EXPECT_EQ(voices[4].engine, "espeak-ng");
  EXPECT_EQ(voices.size(), create_flite_synthesizer()->voices().size() +
                               create_espeak_synthesizer()->voices().size());
}

TEST(VoiceCatalog, UnknownVoiceNamesEveryAvailableVoice) {
  VoiceCatalog catalog = both_engines();
  try {
    catalog.synthesize("hello", "nobody");
    FAIL() << "expected unknown_voice";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "unknown_voice");
    const std::string message = e.what();
    EXPECT_NE(message.find("'nobody'"), std::string::npos) << message;
    EXPECT_NE(message.find("available: slt, kal, awb, rms, "), std::string::npos) << message;
    EXPECT_NE(message.find("en-us"), std::string::npos) << message;
  }
}

TEST(VoiceCatalog, PassesEngineErrorsThrough) {
  VoiceCatalog catalog = both_engines();
  EXPECT_EQ(error_code([&] { catalog.synthesize("  ", "slt"); }), "empty_text");
  EXPECT_EQ(error_code([&] { catalog.synthesize("", "en-us"); }), "empty_text");
  EXPECT_EQ(error_code([&] { catalog.synthesize("hi", "slt", 0); }), "invalid_rate");
}

TEST(VoiceCatalog, KeepsTheFirstEngineForADuplicateName) {
  std::vector<std::unique_ptr<SpeechSynthesizer>> engines;
  engines.push_back(create_flite_synthesizer());
  engines.push_back(create_flite_synthesizer());
  VoiceCatalog catalog(std::move(engines));
  EXPECT_EQ(catalog.voices().size(), 4u);
  EXPECT_GT(rms(catalog.synthesize("Still works.", "awb").audio), 1000);
}

TEST(VoiceCatalog, WithoutEnginesEveryVoiceIsUnknown) {
  VoiceCatalog catalog(std::vector<std::unique_ptr<SpeechSynthesizer>>{});
  EXPECT_TRUE(catalog.voices().empty());
  EXPECT_FALSE(catalog.has_voice("slt"));
  try {
    catalog.synthesize("hello", "slt");
    FAIL() << "expected unknown_voice";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "unknown_voice");
    EXPECT_NE(std::string(e.what()).find("available: none"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tektra
