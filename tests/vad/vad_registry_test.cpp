// create_vad / vad_engines: engines by name and a clear error for unknown ones.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"
#include "vad/vad.h"

namespace tektra {
namespace {

TEST(VadRegistry, DefaultConfigGivesTheWebrtcEngine) {
  auto vad = create_vad(VadConfig{});
  ASSERT_NE(vad, nullptr);
  EXPECT_EQ(vad->name(), "webrtc");
  EXPECT_EQ(vad->frame_samples(), 160u);
}

TEST(VadRegistry, EveryListedEngineCanBeCreated) {
  auto engines = vad_engines();
  EXPECT_NE(std::find(engines.begin(), engines.end(), "webrtc"), engines.end());
  for (const auto& name : engines) {
    VadConfig config;
    config.engine = name;
    EXPECT_EQ(create_vad(config)->name(), name);
  }
}

TEST(VadRegistry, UnknownEngineIsAClearError) {
  VadConfig config;
  config.engine = "silero-v9";
  try {
    create_vad(config);
    FAIL() << "unknown engine accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "unknown_engine");
    std::string message = e.what();
    EXPECT_NE(message.find("silero-v9"), std::string::npos) << message;
    EXPECT_NE(message.find("webrtc"), std::string::npos) << message;  // says what is available
  }
}

TEST(VadRegistry, PassesTheConfiguredAggressivenessOn) {
  VadConfig config;
  config.aggressiveness = 7;
  try {
    create_vad(config);
    FAIL() << "aggressiveness 7 accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "invalid_config");
  }
}

}  // namespace
}  // namespace tektra
