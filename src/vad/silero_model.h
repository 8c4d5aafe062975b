// Silero VAD v6 (github.com/snakers4/silero-vad, MIT), the 16 kHz network implemented natively:
// an STFT as a convolution, four 1-D convolutions, an LSTM cell and a sigmoid head. Weights come
// from whisper.cpp's ggml file (ggml-silero-v6.2.0.bin) or from the published ONNX model
// (silero_vad_v6.2.onnx); the file's first bytes say which.
#pragma once

#include <array>
#include <filesystem>
#include <span>
#include <vector>

namespace tektra {

struct SileroWeights {
  static constexpr int kFilter = 256;  // STFT window; 129 frequency bins
  static constexpr int kBins = kFilter / 2 + 1;
  static constexpr int kHidden = 128;

  struct Conv {
    int in = 0;
    int out = 0;
    std::vector<float> weight;  // [out][in][3]
    std::vector<float> bias;    // [out]
  };

  std::vector<float> stft_basis;  // [2 * kBins][kFilter]: real rows, then imaginary rows
  std::array<Conv, 4> encoder;    // 129 -> 128 -> 64 -> 64 -> 128 channels, strides 1, 2, 2, 1
  std::vector<float> lstm_input;  // [4 * kHidden][kHidden], gates i, f, g, o
  std::vector<float> lstm_hidden;
  std::vector<float> lstm_bias;  // bias_ih + bias_hh, [4 * kHidden]
  std::vector<float> head;       // [kHidden]
  float head_bias = 0;

  // Throws Error("invalid_model") when a tensor has the wrong size.
  void validate() const;
};

// Throws Error("invalid_model") for a missing, truncated or foreign file.
SileroWeights load_silero_weights(const std::filesystem::path& path);
SileroWeights load_silero_ggml(const std::filesystem::path& path);
SileroWeights load_silero_onnx(const std::filesystem::path& path);

// The network with its weights laid out for inference; immutable, so sessions share one. Each
// stream keeps its own State: the 64 samples before the chunk as context and the LSTM's state,
// carried as in the model's published streaming loop.
class SileroNetwork {
 public:
  static constexpr size_t kChunk = 512;  // new samples per call, 16 kHz, floats in [-1, 1]
  static constexpr size_t kContext = 64;

  struct State {
    std::array<float, kContext + kChunk> input{};
    std::array<float, SileroWeights::kHidden> h{};
    std::array<float, SileroWeights::kHidden> c{};
  };

  explicit SileroNetwork(const SileroWeights& weights);
  // The speech probability of `chunk` (kChunk samples; Error("invalid_audio") otherwise).
  float process(std::span<const float> chunk, State& state) const;

 private:
  // A convolution as a matrix over im2col rows: weight [out][3][in].
  struct Conv {
    int in = 0;
    int out = 0;
    int stride = 1;
    std::vector<float> weight;
    std::vector<float> bias;
  };

  std::vector<float> stft_basis_;
  std::array<Conv, 4> encoder_;
  std::vector<float> lstm_;  // [4 * kHidden][2 * kHidden]: input weights, then hidden weights
  std::vector<float> lstm_bias_;
  std::vector<float> head_;
  float head_bias_ = 0;
};

}  // namespace tektra
