// Choosing a speech-to-text engine by name, and the errors when it cannot be had.
#include "stt/stt.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace tektra {
namespace {

std::string error_code_of(const SttConfig& config) {
  try {
    create_recognizer(config);
  } catch (const Error& error) {
    return error.code();
  }
  return "no error";
}

TEST(SttRegistry, ListsPocketsphinxAndCreatesItByName) {
  EXPECT_EQ(stt_engines(), std::vector<std::string>{"pocketsphinx"});
  const auto recognizer = create_recognizer(SttConfig{});
  EXPECT_EQ(recognizer->name(), "pocketsphinx");
}

TEST(SttRegistry, UnknownEngineNamesTheAvailableOnes) {
  SttConfig config;
  config.engine = "whisper-large";
  try {
    create_recognizer(config);
    FAIL() << "expected unknown_engine";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), "unknown_engine");
    EXPECT_NE(std::string(error.what()).find("pocketsphinx"), std::string::npos);
  }
}

TEST(SttRegistry, MissingModelDirectoryIsEngineUnavailable) {
  SttConfig config;
  config.model_dir = "/nonexistent/tektra/pocketsphinx-model";
  EXPECT_EQ(error_code_of(config), "engine_unavailable");
}

}  // namespace
}  // namespace tektra
