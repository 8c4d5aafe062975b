// The Silero VAD v6 forward pass for one 512-sample chunk, following the ONNX graph: reflect-pad
// the 576 input samples by 64 on the right, STFT magnitude (4 frames), encoder, LSTM cell, head.
// Activations are time-major ([frame][channel]) so every layer is one matmul over contiguous rows.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "nn/kernels.h"
#include "vad/silero_model.h"

namespace tektra {
namespace {

constexpr int kHop = 128;
constexpr int kPad = 64;
constexpr int kFrames = 4;  // (576 + 64 - 256) / 128 + 1
constexpr int kHidden = SileroWeights::kHidden;

float sigmoid(float x) {
  return 1.0f / (1.0f + std::exp(-x));
}

// out[t][r] = weight row r . the `cols` floats at rows + t * stride (rows may overlap).
void matmul(const std::vector<float>& weight, int64_t cols, const float* rows, int64_t stride,
            int64_t count, float* out) {
  const int64_t outputs = static_cast<int64_t>(weight.size()) / cols;
  const nn::WeightView view{nn::TensorType::F32, weight.data(), outputs, cols,
                            static_cast<size_t>(cols) * sizeof(float)};
  nn::matmul_rows(view, 0, outputs, rows, static_cast<size_t>(stride) * sizeof(float), count, out,
                  outputs);
}

}  // namespace

SileroNetwork::SileroNetwork(const SileroWeights& weights) {
  weights.validate();
  stft_basis_ = weights.stft_basis;
  const std::array<int, 4> strides{1, 2, 2, 1};
  for (size_t i = 0; i < encoder_.size(); ++i) {
    const auto& from = weights.encoder[i];
    auto& conv = encoder_[i];
    conv.in = from.in;
    conv.out = from.out;
    conv.stride = strides[i];
    conv.bias = from.bias;
    conv.weight.resize(from.weight.size());
    for (int o = 0; o < conv.out; ++o) {
      for (int in = 0; in < conv.in; ++in) {
        for (int k = 0; k < 3; ++k) {
          conv.weight[(o * 3 + k) * conv.in + in] = from.weight[(o * conv.in + in) * 3 + k];
        }
      }
    }
  }
  lstm_.resize(size_t{4} * kHidden * 2 * kHidden);
  for (int g = 0; g < 4 * kHidden; ++g) {
    std::copy_n(weights.lstm_input.begin() + g * kHidden, kHidden, lstm_.begin() + g * 2 * kHidden);
    std::copy_n(weights.lstm_hidden.begin() + g * kHidden, kHidden,
                lstm_.begin() + g * 2 * kHidden + kHidden);
  }
  lstm_bias_ = weights.lstm_bias;
  head_ = weights.head;
  head_bias_ = weights.head_bias;
}

float SileroNetwork::process(std::span<const float> chunk, State& state) const {
  if (chunk.size() != kChunk) {
    throw Error("invalid_audio",
                fmt::format("Silero VAD takes {} samples, got {}", kChunk, chunk.size()));
  }
  auto& input = state.input;
  std::copy(input.end() - kContext, input.end(), input.begin());
  std::copy(chunk.begin(), chunk.end(), input.begin() + kContext);

  constexpr int kLength = static_cast<int>(kContext + kChunk);
  std::array<float, kLength + kPad> padded;
  std::copy(input.begin(), input.end(), padded.begin());
  for (int j = 0; j < kPad; ++j) padded[kLength + j] = input[kLength - 2 - j];

  // The STFT: real rows then imaginary rows of the basis, over 4 overlapping windows.
  constexpr int kBins = SileroWeights::kBins;
  std::array<float, kFrames * 2 * kBins> spectrum;
  matmul(stft_basis_, SileroWeights::kFilter, padded.data(), kHop, kFrames, spectrum.data());
  // Each layer's input is kept with a zero frame before and after: the convolutions' padding.
  std::vector<float> x(static_cast<size_t>(kFrames + 2) * kBins, 0.0f);
  for (int t = 0; t < kFrames; ++t) {
    for (int f = 0; f < kBins; ++f) {
      const float re = spectrum[t * 2 * kBins + f];
      const float im = spectrum[t * 2 * kBins + kBins + f];
      x[(t + 1) * kBins + f] = std::sqrt(re * re + im * im);
    }
  }

  int frames = kFrames;
  std::vector<float> y;
  for (const auto& conv : encoder_) {
    const int frames_out = (frames - 1) / conv.stride + 1;
    y.assign(static_cast<size_t>(frames_out + 2) * conv.out, 0.0f);
    // Output frame t reads padded input frames t * stride .. t * stride + 2: an im2col row that
    // is already contiguous in the time-major buffer.
    matmul(conv.weight, 3 * conv.in, x.data(), conv.stride * conv.in, frames_out,
           y.data() + conv.out);
    for (int t = 1; t <= frames_out; ++t) {
      for (int o = 0; o < conv.out; ++o) {
        float& v = y[t * conv.out + o];
        v = std::max(v + conv.bias[o], 0.0f);
      }
    }
    std::swap(x, y);
    frames = frames_out;
  }

  // One frame of 128 features is left; with the hidden state it drives the LSTM cell.
  std::array<float, 2 * kHidden> cell_input;
  std::copy_n(x.begin() + kHidden, kHidden, cell_input.begin());
  std::copy(state.h.begin(), state.h.end(), cell_input.begin() + kHidden);
  std::array<float, 4 * kHidden> gates;
  matmul(lstm_, 2 * kHidden, cell_input.data(), 0, 1, gates.data());
  float logit = head_bias_;
  for (int j = 0; j < kHidden; ++j) {
    const float in = sigmoid(gates[j] + lstm_bias_[j]);
    const float forget = sigmoid(gates[kHidden + j] + lstm_bias_[kHidden + j]);
    const float cell = std::tanh(gates[2 * kHidden + j] + lstm_bias_[2 * kHidden + j]);
    const float out = sigmoid(gates[3 * kHidden + j] + lstm_bias_[3 * kHidden + j]);
    state.c[j] = forget * state.c[j] + in * cell;
    state.h[j] = out * std::tanh(state.c[j]);
    logit += head_[j] * std::max(state.h[j], 0.0f);
  }
  return sigmoid(logit);
}

}  // namespace tektra
