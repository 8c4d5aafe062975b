// Silero VAD v6 run natively from both weight files against onnxruntime's probabilities for the
// same chunks (silero_v6.2_reference_probs.tsv), plus the errors bad files and frames get.
#include "vad/silero_vad.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "audio/wav.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"
#include "support/thrown.h"

namespace tektra {
namespace {

constexpr const char* kGgml = "ggml-silero-v6.2.0.bin";
constexpr const char* kOnnx = "silero_vad_v6.2.onnx";
constexpr const char* kReference = "silero_v6.2_reference_probs.tsv";

// file name -> the reference probability of each chunk, in order.
std::map<std::string, std::vector<double>> reference_probabilities() {
  std::ifstream tsv(test::fixture(kReference));
  std::map<std::string, std::vector<double>> probabilities;
  std::string line;
  std::getline(tsv, line);  // header
  while (std::getline(tsv, line)) {
    std::istringstream fields(line);
    std::string file;
    size_t chunk = 0;
    size_t start = 0;
    double probability = 0;
    fields >> file >> chunk >> start >> probability;
    auto& list = probabilities[file];
    EXPECT_EQ(list.size(), chunk) << line;
    list.push_back(probability);
  }
  return probabilities;
}

struct Agreement {
  double max_difference = 0;
  size_t chunks = 0;
  size_t within_1e3 = 0;  // chunks whose probability is within 1e-3 of the reference
};

Agreement compare_with_reference(SileroVad& vad) {
  Agreement agreement;
  for (const auto& [file, expected] : reference_probabilities()) {
    const auto audio = read_wav(test::fixture(file));
    EXPECT_EQ(audio.sample_rate, 16000) << file;
    vad.reset();
    const std::span<const int16_t> samples(audio.samples);
    for (size_t i = 0; i < expected.size(); ++i) {
      const float probability = vad.speech_probability(samples.subspan(i * 512, 512));
      const double difference = std::abs(probability - expected[i]);
      agreement.max_difference = std::max(agreement.max_difference, difference);
      agreement.within_1e3 += difference <= 1e-3;
      ++agreement.chunks;
    }
  }
  return agreement;
}

TEST(SileroVad, MatchesOnnxRuntimeWithTheOnnxWeights) {
  TEKTRA_REQUIRE_FIXTURE(kOnnx);
  TEKTRA_REQUIRE_FIXTURE(kReference);
  SileroVad vad(test::fixture(kOnnx));
  const auto agreement = compare_with_reference(vad);
  std::printf("[ MEASURE  ] Silero (ONNX weights) vs onnxruntime: max |dp| %.2e over %zu chunks\n",
              agreement.max_difference, agreement.chunks);
  EXPECT_GT(agreement.chunks, 700u);
  EXPECT_LE(agreement.max_difference, 1e-3);
}

TEST(SileroVad, MatchesOnnxRuntimeWithTheGgmlWeights) {
  TEKTRA_REQUIRE_FIXTURE(kGgml);
  TEKTRA_REQUIRE_FIXTURE(kReference);
  SileroVad vad(test::fixture(kGgml));
  const auto agreement = compare_with_reference(vad);
  std::printf(
      "[ MEASURE  ] Silero (ggml weights) vs onnxruntime: max |dp| %.2e, %zu of %zu chunks within "
      "1e-3\n",
      agreement.max_difference, agreement.within_1e3, agreement.chunks);
  EXPECT_GT(agreement.chunks, 700u);
  // whisper.cpp's converter stores the convolution weights as fp16; their rounding, not the
  // network, moves a few probabilities past 1e-3.
  EXPECT_LE(agreement.max_difference, 5e-3);
  EXPECT_GE(agreement.within_1e3, agreement.chunks * 98 / 100);
}

}  // namespace
}  // namespace tektra
