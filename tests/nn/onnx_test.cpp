// The ONNX weight reader on the real Silero VAD model: every float tensor, including those inside
// If branches, and only clear errors for damaged files.
#include "nn/onnx.h"

#include <gtest/gtest.h>

#include <random>

#include "support/file_bytes.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"
#include "support/thrown.h"

namespace tektra::nn {
namespace {

constexpr const char* kOnnx = "silero_vad_v6.2.onnx";

TEST(OnnxWeights, ReadsInitializersAndConstantsInsideSubgraphs) {
  TEKTRA_REQUIRE_FIXTURE(kOnnx);
  const auto weights = read_onnx_weights(test::fixture(kOnnx));
  // The 16 kHz and 8 kHz networks are the two branches of an If node, held as Constant nodes.
  const auto& basis = weights.at("If_0_then_branch__Inline_0__stft.forward_basis_buffer");
  EXPECT_EQ(basis.dims, (std::vector<int64_t>{258, 1, 256}));
  EXPECT_EQ(basis.values.size(), 258u * 256u);
  const auto& basis_8k = weights.at("If_0_else_branch__Inline_0__stft.forward_basis_buffer");
  EXPECT_EQ(basis_8k.dims, (std::vector<int64_t>{130, 1, 128}));
  const auto& lstm = weights.at("If_0_then_branch__Inline_0__decoder.rnn.weight_ih");
  EXPECT_EQ(lstm.dims, (std::vector<int64_t>{512, 128}));
  float largest = 0;
  for (float v : lstm.values) largest = std::max(largest, std::abs(v));
  EXPECT_GT(largest, 0.01f) << "real weights, not zeros";
  EXPECT_EQ(test::thrown_code([&] { weights.at("no.such.tensor"); }), "invalid_model");
}

TEST(OnnxWeights, FilesThatAreNotOnnxAreRefused) {
  EXPECT_EQ(test::thrown_code([] { parse_onnx_weights(""); }), "invalid_model");
  EXPECT_EQ(test::thrown_code([] { parse_onnx_weights("hello, world"); }), "invalid_model");
  EXPECT_EQ(test::thrown_code([] { parse_onnx_weights(std::string(100, '\xff')); }),
            "invalid_model");
  test::TempDir dir;
  EXPECT_EQ(test::thrown_code([&] { read_onnx_weights(dir.file("missing.onnx")); }),
            "invalid_model");
}

TEST(OnnxWeights, CorruptBytesNeverCrashTheReader) {
  TEKTRA_REQUIRE_FIXTURE(kOnnx);
  const std::string bytes = test::file_bytes(test::fixture(kOnnx));
  std::mt19937 random(7);
  int rejected = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string broken = bytes;
    // The structure sits around the tensors: corrupt the first and last few kilobytes.
    for (int i = 0; i < 8; ++i) {
      const size_t at = random() % 2 ? random() % 4096 : broken.size() - 1 - random() % 4096;
      broken[at] = static_cast<char>(random());
    }
    try {
      parse_onnx_weights(broken);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), "invalid_model");
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace tektra::nn
