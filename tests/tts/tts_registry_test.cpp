// Engine registry: creation by name, unknown engines, the machine-wide voice catalog.
#include <gtest/gtest.h>

#include <set>

#include "tts/speech_checks.h"
#include "tts/tts.h"

namespace tektra {
namespace {

using test::error_code;

TEST(TtsRegistry, CreatesEveryListedEngineByName) {
  EXPECT_EQ(tts_engines(), (std::vector<std::string>{"flite", "espeak-ng"}));
  for (const std::string& name : tts_engines()) {
    auto engine = create_synthesizer(name);
    ASSERT_NE(engine, nullptr);
    EXPECT_EQ(engine->name(), name);
    EXPECT_FALSE(engine->voices().empty()) << name;
  }
}

TEST(TtsRegistry, UnknownEngineNamesTheKnownOnes) {
  for (const std::string name : {"", "Flite", "espeak", "festival"}) {
    try {
      create_synthesizer(name);
      FAIL() << "expected unknown_engine for '" << name << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), "unknown_engine");
      EXPECT_NE(std::string(e.what()).find("flite, espeak-ng"), std::string::npos) << e.what();
    }
  }
}

TEST(TtsRegistry, CatalogHoldsEveryEngineWithUniqueVoiceNames) {
  VoiceCatalog catalog = create_voice_catalog();
  std::set<std::string> names;
  std::set<std::string> engines;
  for (const Voice& voice : catalog.voices()) {
    EXPECT_TRUE(names.insert(voice.name).second) << "duplicate " << voice.name;
    engines.insert(voice.engine);
  }
  EXPECT_EQ(engines, (std::set<std::string>{"flite", "espeak-ng"}));
  // The configured default voice (TtsConfig) is available.
  EXPECT_TRUE(catalog.has_voice(TtsConfig{}.voice));
  EXPECT_EQ(error_code([&] { catalog.synthesize("Ready.", TtsConfig{}.voice); }), "");
}

}  // namespace
}  // namespace tektra
