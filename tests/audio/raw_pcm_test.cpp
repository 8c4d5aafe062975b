// Headerless 16-bit PCM reading (read_raw_pcm16) on the goforward.raw fixture and bad arguments.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "audio/wav.h"
#include "core/error.h"
#include "support/fixtures.h"

namespace tektra {
namespace {

std::vector<uint8_t> file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void expect_error(const std::string& code, const std::function<void()>& action) {
  try {
    action();
    ADD_FAILURE() << "expected Error(" << code << ")";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
  }
}

TEST(RawPcm, ReadsGoforwardFixture) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  AudioBuffer audio = read_raw_pcm16(test::fixture("goforward.raw"), 16000, 1);
  EXPECT_EQ(audio.sample_rate, 16000);
  EXPECT_EQ(audio.channels, 1);
  EXPECT_NEAR(audio.duration_seconds(), 2.786, 0.001);  // per TRANSCRIPTS.tsv
  auto bytes = file_bytes(test::fixture("goforward.raw"));
  ASSERT_EQ(audio.samples.size(), bytes.size() / 2);
  for (size_t i = 0; i < audio.samples.size(); ++i) {
    ASSERT_EQ(audio.samples[i], static_cast<int16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8)));
  }
}

TEST(RawPcm, DropsAPartialFrame) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  // 44580 samples: as 7 channels the last 4 samples do not fill a frame.
  AudioBuffer audio = read_raw_pcm16(test::fixture("goforward.raw"), 16000, 7);
  EXPECT_EQ(audio.channels, 7);
  EXPECT_EQ(audio.samples.size(), 44580u / 7 * 7);
  EXPECT_EQ(audio.frames(), 44580u / 7);
}

TEST(RawPcm, RejectsBadArgumentsAndMissingFiles) {
  TEKTRA_REQUIRE_FIXTURE("goforward.raw");
  auto path = test::fixture("goforward.raw");
  expect_error("invalid_audio", [&] { read_raw_pcm16(path, 0, 1); });
  expect_error("invalid_audio", [&] { read_raw_pcm16(path, 999, 1); });
  expect_error("invalid_audio", [&] { read_raw_pcm16(path, 16000, 0); });
  expect_error("invalid_audio", [&] { read_raw_pcm16(path, 16000, -2); });
  expect_error("io_error", [&] { read_raw_pcm16("/nonexistent/tektra/no.raw", 16000, 1); });
}

}  // namespace
}  // namespace tektra
