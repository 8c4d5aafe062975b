// Silero VAD v6 run natively from both weight files against onnxruntime's probabilities for the
// same chunks (silero_v6.2_reference_probs.tsv), plus the errors bad files and frames get.
#include "vad/silero_vad.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "audio/wav.h"
#include "core/error.h"
#include "nn/fp16.h"
#include "support/file_bytes.h"
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

TEST(SileroVad, TheGgmlFileHoldsTheOnnxWeightsWithFp16Convolutions) {
  TEKTRA_REQUIRE_FIXTURE(kGgml);
  TEKTRA_REQUIRE_FIXTURE(kOnnx);
  const auto ggml = load_silero_ggml(test::fixture(kGgml));
  const auto onnx = load_silero_onnx(test::fixture(kOnnx));
  auto fp16 = [](std::vector<float> values) {
    for (float& v : values) v = nn::fp16_to_fp32(nn::fp32_to_fp16(v));
    return values;
  };
  EXPECT_EQ(ggml.stft_basis, fp16(onnx.stft_basis));
  for (size_t i = 0; i < ggml.encoder.size(); ++i) {
    EXPECT_EQ(ggml.encoder[i].weight, fp16(onnx.encoder[i].weight)) << "encoder " << i;
    EXPECT_EQ(ggml.encoder[i].bias, onnx.encoder[i].bias) << "encoder " << i;
  }
  EXPECT_EQ(ggml.lstm_input, onnx.lstm_input);
  EXPECT_EQ(ggml.lstm_hidden, onnx.lstm_hidden);
  EXPECT_EQ(ggml.lstm_bias, onnx.lstm_bias);
  EXPECT_EQ(ggml.head, fp16(onnx.head));
  EXPECT_EQ(ggml.head_bias, onnx.head_bias);
}

std::vector<float> probabilities(SileroVad& vad, std::span<const int16_t> samples) {
  std::vector<float> out;
  for (size_t at = 0; at + 512 <= samples.size(); at += 512) {
    out.push_back(vad.speech_probability(samples.subspan(at, 512)));
  }
  return out;
}

TEST(SileroVad, SpeechIsLikelySilenceIsNot) {
  TEKTRA_REQUIRE_FIXTURE(kOnnx);
  SileroVad vad(test::fixture(kOnnx));
  const auto jfk = read_wav(test::fixture("jfk.wav")).samples;
  const auto speech = probabilities(vad, jfk);
  const auto peak = *std::max_element(speech.begin(), speech.end());
  EXPECT_GT(peak, 0.95f);
  const size_t voiced =
      std::count_if(speech.begin(), speech.end(), [](float p) { return p > 0.5f; });
  EXPECT_GT(voiced, speech.size() / 2) << "jfk.wav is mostly speech";

  vad.reset();
  const std::vector<int16_t> silence(16000 * 3, 0);
  const auto quiet = probabilities(vad, silence);
  EXPECT_LT(*std::max_element(quiet.begin(), quiet.end()), 0.05f);
}

TEST(SileroVad, StreamsSharingANetworkKeepTheirOwnStateAndResetStartsOver) {
  TEKTRA_REQUIRE_FIXTURE(kOnnx);
  auto network = std::make_shared<const SileroNetwork>(load_silero_weights(test::fixture(kOnnx)));
  SileroVad a(network);
  SileroVad b(network);
  const auto jfk = read_wav(test::fixture("jfk.wav")).samples;
  const std::span<const int16_t> first(jfk.data(), 16000);
  const std::span<const int16_t> second(jfk.data() + 32000, 16000);
  const auto a_first = probabilities(a, first);
  const auto b_second = probabilities(b, second);  // interleaved with a's stream
  const auto a_second = probabilities(a, second);
  SileroVad alone(network);
  EXPECT_EQ(probabilities(alone, second), b_second) << "b is independent of a";
  EXPECT_NE(a_second, b_second) << "a carries its state from the first second";
  a.reset();
  EXPECT_EQ(probabilities(a, first), a_first);
}

TEST(SileroVad, RejectsFramesOfAnyOtherSize) {
  TEKTRA_REQUIRE_FIXTURE(kOnnx);
  SileroVad vad(test::fixture(kOnnx));
  for (size_t n : {0u, 160u, 511u, 513u, 1024u}) {
    const std::vector<int16_t> frame(n, 100);
    EXPECT_EQ(test::thrown_code([&] { vad.speech_probability(frame); }), "invalid_audio") << n;
  }
}

TEST(SileroVad, GgmlHeadersOfOtherModelsAreRefusedWithTheReason) {
  TEKTRA_REQUIRE_FIXTURE(kGgml);
  const std::string bytes = test::file_bytes(test::fixture(kGgml));
  test::TempDir dir;
  // Offsets in whisper.cpp's layout: magic, type length, "silero-16k", major, minor, patch,
  // window, context, encoder layers, 4 x (in, out, kernel), LSTM and head sizes, tensors.
  auto with = [&](size_t offset, std::string patch) {
    std::string changed = bytes;
    changed.replace(offset, patch.size(), patch);
    const auto file = dir.file("patched.bin");
    std::ofstream(file, std::ios::binary | std::ios::trunc) << changed;
    const auto error = test::thrown_error([&] { SileroVad vad(file); });
    return error ? error->code() + ": " + error->what() : std::string("(loaded)");
  };
  auto le32 = [](int32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); };
  EXPECT_NE(with(8, "silero-08k").find("unknown model type 'silero-08k'"), std::string::npos);
  EXPECT_NE(with(18, le32(5)).find("version 5 is not Silero VAD v6"), std::string::npos);
  EXPECT_NE(with(30, le32(256)).find("window 256"), std::string::npos);
  EXPECT_NE(with(38, le32(3)).find("3 encoder layers"), std::string::npos);
  EXPECT_NE(with(4, le32(-1)).find("bad model type"), std::string::npos);
  const size_t first_tensor = 42 + 4 * 12 + 16;
  EXPECT_NE(with(first_tensor + 8, le32(7)).find("unsupported type 7"), std::string::npos);
  EXPECT_NE(with(first_tensor, le32(9)).find("corrupt tensor header"), std::string::npos);
  for (const auto& reason : {with(8, "silero-08k"), with(first_tensor, le32(9))}) {
    EXPECT_EQ(reason.substr(0, 13), "invalid_model") << reason;
  }
  EXPECT_EQ(with(0, bytes.substr(0, 4)), "(loaded)") << "the unpatched file loads";
}

TEST(SileroVad, TruncatedOrForeignFilesAreClearErrors) {
  TEKTRA_REQUIRE_FIXTURE(kGgml);
  TEKTRA_REQUIRE_FIXTURE(kOnnx);
  test::TempDir dir;
  const auto cut = dir.file("cut");
  for (const char* name : {kGgml, kOnnx}) {
    const std::string bytes = test::file_bytes(test::fixture(name));
    for (size_t size :
         {size_t{0}, size_t{3}, size_t{40}, size_t{5000}, bytes.size() / 2, bytes.size() - 1}) {
      std::ofstream(cut, std::ios::binary | std::ios::trunc) << bytes.substr(0, size);
      EXPECT_EQ(test::thrown_code([&] { SileroVad vad(cut); }), "invalid_model")
          << name << " cut to " << size << " bytes";
    }
  }
  for (const char* foreign : {"stories260K.gguf", "jfk.wav", "face_detection_yunet_2023mar.onnx"}) {
    if (!std::filesystem::exists(test::fixture(foreign))) continue;
    EXPECT_EQ(test::thrown_code([&] { SileroVad vad(test::fixture(foreign)); }), "invalid_model")
        << foreign;
  }
  EXPECT_EQ(test::thrown_code([&] { SileroVad vad(dir.file("missing.onnx")); }), "invalid_model");
}

}  // namespace
}  // namespace tektra
