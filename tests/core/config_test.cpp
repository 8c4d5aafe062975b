#include "core/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"

namespace tektra {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& text) {
    auto path =
        std::filesystem::temp_directory_path() / ("tektra-config-" + std::to_string(::getpid()) +
                                                  "-" + std::to_string(counter_++) + ".toml");
    std::ofstream(path) << text;
    files_.push_back(path);
    return path;
  }
  void TearDown() override {
    for (auto& f : files_) std::filesystem::remove(f);
  }
  int counter_ = 0;
  std::vector<std::filesystem::path> files_;
};

TEST_F(ConfigTest, DefaultsAreDocumented) {
  Config c = load_config(write(""), {});
  EXPECT_EQ(c.server.host, "127.0.0.1");
  EXPECT_EQ(c.server.port, 8080);
  EXPECT_EQ(c.server.max_message_bytes, 4u * 1024 * 1024);
  for (const auto& k : config_keys()) EXPECT_FALSE(k.description.empty()) << k.name;
}

TEST_F(ConfigTest, FileThenEnvironmentOverride) {
  auto path = write(
      "log_level = \"debug\"\n[server]\nport = 9000\nhost = \"0.0.0.0\"\n[tts]\nrate = 1.5\n");
  Config c = load_config(path, {{"TEKTRA_SERVER_PORT", "9100"}});
  EXPECT_EQ(c.server.port, 9100);
  EXPECT_EQ(c.server.host, "0.0.0.0");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_DOUBLE_EQ(c.tts.rate, 1.5);
  EXPECT_EQ(c.config_file, path);
}

TEST_F(ConfigTest, BadValuesAreClearErrors) {
  try {
    load_config(write("[server]\nport = 70000\n"), {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "invalid_config");
    EXPECT_NE(std::string(e.what()).find("server.port"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_config(write("[server\nport = 1\n"), {}), Error);   // TOML syntax
  EXPECT_THROW(load_config(write("[server]\nnope = 1\n"), {}), Error);  // unknown key
  EXPECT_THROW(load_config(write(""), {{"TEKTRA_SERVER_PORT", "x"}}), Error);
  EXPECT_THROW(load_config(std::filesystem::path("/nonexistent/tektra.toml"), {}), Error);
  try {
    load_config(write("[audio]\necho_canceller = \"acme\"\n"), {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "invalid_config");
    EXPECT_NE(std::string(e.what()).find("one of webrtc, speex, off"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(
      load_config(write("[audio]\nnoise_suppression = \"high\"\n"), {}).audio.noise_suppression,
      "high");
}

TEST_F(ConfigTest, RenderedTomlReadsBackTheSame) {
  Config c =
      load_config(write(""), {{"TEKTRA_TTS_VOICE", "kal"}, {"TEKTRA_VAD_AGGRESSIVENESS", "3"}});
  Config d = load_config(write(config_to_toml(c)), {});
  for (const auto& k : config_keys()) EXPECT_EQ(k.get(c), k.get(d)) << k.name;
}

}  // namespace
}  // namespace tektra
