// create_vad / vad_engines / choose_vad: engines by name, Silero's weights found or configured,
// the fallback to WebRTC and clear errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "core/error.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"
#include "support/thrown.h"
#include "vad/vad.h"

namespace tektra {
namespace {

TEST(VadRegistry, WebrtcEngine) {
  VadConfig config;
  config.engine = "webrtc";
  auto vad = create_vad(config);
  ASSERT_NE(vad, nullptr);
  EXPECT_EQ(vad->name(), "webrtc");
  EXPECT_EQ(vad->frame_samples(), 160u);
}

TEST(VadRegistry, SileroEngineLoadsTheConfiguredWeightsOnce) {
  TEKTRA_REQUIRE_FIXTURE("silero_vad_v6.2.onnx");
  test::TempDir dir;
  const auto weights = dir.path() / "silero_vad_v6.onnx";
  std::filesystem::copy_file(test::fixture("silero_vad_v6.2.onnx"), weights);
  VadConfig config;
  EXPECT_EQ(config.engine, "silero");  // the default
  config.model = weights.string();
  auto first = create_vad(config);
  EXPECT_EQ(first->name(), "silero");
  EXPECT_EQ(first->frame_samples(), 512u);
  // Later sessions reuse the loaded network: the file is not read again.
  std::filesystem::remove(weights);
  EXPECT_EQ(create_vad(config)->name(), "silero");
}

TEST(VadRegistry, SileroWithoutWeightsIsAClearError) {
  VadConfig config;
  EXPECT_EQ(test::thrown_code([&] { create_vad(config); }), "invalid_model");
  config.model = "/nonexistent/silero.onnx";
  EXPECT_EQ(test::thrown_code([&] { create_vad(config); }), "invalid_model");
}

TEST(VadRegistry, ChoosesSileroFromTheModelDirectory) {
  TEKTRA_REQUIRE_FIXTURE("silero_vad_v6.2.onnx");
  test::TempDir models;
  std::filesystem::copy_file(test::fixture("silero_vad_v6.2.onnx"),
                             models.path() / "silero_vad_v6.onnx");
  const auto choice = choose_vad(VadConfig{}, models.path());
  EXPECT_EQ(choice.config.engine, "silero");
  EXPECT_EQ(choice.config.model, (models.path() / "silero_vad_v6.onnx").string());
  EXPECT_EQ(choice.note, "");
  EXPECT_EQ(create_vad(choice.config)->name(), "silero");
}

TEST(VadRegistry, FallsBackToWebrtcWithoutWeightsAndSaysWhy) {
  test::TempDir models;
  auto choice = choose_vad(VadConfig{}, models.path());
  EXPECT_EQ(choice.config.engine, "webrtc");
  EXPECT_NE(choice.note.find("Silero VAD unavailable"), std::string::npos) << choice.note;
  EXPECT_NE(choice.note.find(models.path().string()), std::string::npos) << choice.note;

  // Weights that do not load are passed over the same way.
  std::ofstream(models.path() / "silero_vad_v6.onnx") << "not a model";
  choice = choose_vad(VadConfig{}, models.path());
  EXPECT_EQ(choice.config.engine, "webrtc");
  EXPECT_NE(choice.note.find("not a readable ONNX file"), std::string::npos) << choice.note;
}

TEST(VadRegistry, ConfiguredWeightsThatDoNotLoadAreAnError) {
  test::TempDir dir;
  std::ofstream(dir.path() / "bad.onnx") << "not a model";
  VadConfig config;
  config.model = (dir.path() / "bad.onnx").string();
  EXPECT_EQ(test::thrown_code([&] { choose_vad(config, dir.path()); }), "invalid_model");
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
  config.engine = "webrtc";
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
