// Reading Silero VAD v6 weights from whisper.cpp's ggml file or the published ONNX model. Both
// store every tensor row-major in PyTorch's shapes, so they fill SileroWeights the same way.
#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "core/error.h"
#include "nn/fp16.h"
#include "nn/onnx.h"
#include "vad/silero_model.h"

namespace tektra {
namespace {

using Tensors = std::map<std::string, std::vector<float>>;

constexpr uint32_t kGgmlMagic = 0x67676d6c;  // "ggml", little-endian

Error invalid(const std::string& what) {
  return Error("invalid_model", "Silero VAD: " + what);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw invalid("cannot open " + path.string());
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

// Fills the weights from tensors named as in the PyTorch model ("encoder.0.reparam_conv.weight").
SileroWeights from_tensors(Tensors& tensors, const std::string& prefix) {
  auto take = [&](const std::string& name) {
    const auto it = tensors.find(prefix + name);
    if (it == tensors.end()) throw invalid("the model has no tensor " + prefix + name);
    return std::move(it->second);
  };
  SileroWeights weights;
  weights.stft_basis = take("stft.forward_basis_buffer");
  const std::array<std::pair<int, int>, 4> channels{{{129, 128}, {128, 64}, {64, 64}, {64, 128}}};
  for (size_t i = 0; i < weights.encoder.size(); ++i) {
    auto& conv = weights.encoder[i];
    std::tie(conv.in, conv.out) = channels[i];
    conv.weight = take(fmt::format("encoder.{}.reparam_conv.weight", i));
    conv.bias = take(fmt::format("encoder.{}.reparam_conv.bias", i));
  }
  weights.lstm_input = take("decoder.rnn.weight_ih");
  weights.lstm_hidden = take("decoder.rnn.weight_hh");
  weights.lstm_bias = take("decoder.rnn.bias_ih");
  const auto bias_hh = take("decoder.rnn.bias_hh");
  if (bias_hh.size() != weights.lstm_bias.size()) throw invalid("LSTM biases differ in size");
  for (size_t i = 0; i < bias_hh.size(); ++i) weights.lstm_bias[i] += bias_hh[i];
  weights.head = take("decoder.decoder.2.weight");
  const auto head_bias = take("decoder.decoder.2.bias");
  if (head_bias.size() != 1) throw invalid("the head has more than one output");
  weights.head_bias = head_bias.front();
  weights.validate();
  return weights;
}

class Cursor {
 public:
  explicit Cursor(const std::string& bytes) : bytes_(bytes) {}
  bool done() const { return pos_ == bytes_.size(); }
  int32_t i32() {
    int32_t value;
    std::memcpy(&value, take(4), 4);
    return value;
  }
  const char* take(size_t size) {
    if (size > bytes_.size() - pos_) throw invalid("the ggml file is truncated");
    const char* at = bytes_.data() + pos_;
    pos_ += size;
    return at;
  }

 private:
  const std::string& bytes_;
  size_t pos_ = 0;
};

}  // namespace

void SileroWeights::validate() const {
  auto check = [](const std::vector<float>& tensor, size_t expected, const std::string& name) {
    if (tensor.size() != expected) {
      throw invalid(fmt::format("{} has {} values, expected {}", name, tensor.size(), expected));
    }
  };
  check(stft_basis, size_t{2} * kBins * kFilter, "the STFT basis");
  for (size_t i = 0; i < encoder.size(); ++i) {
    const auto& conv = encoder[i];
    check(conv.weight, static_cast<size_t>(conv.out) * conv.in * 3, fmt::format("encoder {}", i));
    check(conv.bias, static_cast<size_t>(conv.out), fmt::format("encoder {} bias", i));
  }
  check(lstm_input, size_t{4} * kHidden * kHidden, "the LSTM input weights");
  check(lstm_hidden, size_t{4} * kHidden * kHidden, "the LSTM hidden weights");
  check(lstm_bias, size_t{4} * kHidden, "the LSTM bias");
  check(head, size_t{kHidden}, "the head");
}

SileroWeights load_silero_ggml(const std::filesystem::path& path) {
  const std::string bytes = read_file(path);
  Cursor cursor(bytes);
  if (static_cast<uint32_t>(cursor.i32()) != kGgmlMagic) throw invalid("not a ggml file");
  const int32_t type_length = cursor.i32();
  if (type_length < 0 || type_length > 64) throw invalid("bad model type");
  const std::string type(cursor.take(static_cast<size_t>(type_length)),
                         static_cast<size_t>(type_length));
  if (type != "silero-16k") throw invalid("unknown model type '" + type + "'");
  const int32_t major = cursor.i32();
  cursor.take(8);  // minor, patch
  if (major != 6) throw invalid(fmt::format("version {} is not Silero VAD v6", major));
  const int32_t window = cursor.i32();
  const int32_t context = cursor.i32();
  if (window != static_cast<int32_t>(SileroNetwork::kChunk) ||
      context != static_cast<int32_t>(SileroNetwork::kContext)) {
    throw invalid(fmt::format("window {} and context {} are not 512 and 64", window, context));
  }
  const int32_t layers = cursor.i32();
  if (layers != 4) throw invalid(fmt::format("{} encoder layers, expected 4", layers));
  cursor.take(static_cast<size_t>(layers) * 12 + 16);  // channels and kernels; LSTM and head sizes

  Tensors tensors;
  while (!cursor.done()) {
    const int32_t dims = cursor.i32();
    const int32_t name_length = cursor.i32();
    const int32_t type_id = cursor.i32();
    if (dims < 0 || dims > 4 || name_length < 1 || name_length > 256) {
      throw invalid("corrupt tensor header");
    }
    int64_t count = 1;
    for (int32_t i = 0; i < dims; ++i) {
      const int32_t extent = cursor.i32();
      if (extent < 1 || extent > (1 << 20)) throw invalid("corrupt tensor shape");
      count *= extent;
    }
    if (count > (1 << 22)) throw invalid("tensor too large");
    std::string name(cursor.take(static_cast<size_t>(name_length)),
                     static_cast<size_t>(name_length));
    std::vector<float> values(static_cast<size_t>(count));
    if (type_id == 0) {
      std::memcpy(values.data(), cursor.take(values.size() * 4), values.size() * 4);
    } else if (type_id == 1) {
      const char* data = cursor.take(values.size() * 2);
      for (size_t i = 0; i < values.size(); ++i) {
        uint16_t half;
        std::memcpy(&half, data + 2 * i, 2);
        values[i] = nn::fp16_to_fp32(half);
      }
    } else {
      throw invalid(fmt::format("tensor {} has unsupported type {}", name, type_id));
    }
    tensors[name] = std::move(values);
  }
  return from_tensors(tensors, "_model.");
}

SileroWeights load_silero_onnx(const std::filesystem::path& path) {
  auto onnx = nn::read_onnx_weights(path);
  Tensors tensors;
  // The 16 kHz network is the If node's then-branch (the else-branch is the 8 kHz one).
  const std::string prefix = "If_0_then_branch__Inline_0__";
  for (auto& [name, tensor] : onnx.tensors) {
    if (name.starts_with(prefix)) tensors[name] = std::move(tensor.values);
  }
  return from_tensors(tensors, prefix);
}

SileroWeights load_silero_weights(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw invalid("cannot open " + path.string());
  uint32_t magic = 0;
  file.read(reinterpret_cast<char*>(&magic), 4);
  if (file.gcount() == 4 && magic == kGgmlMagic) return load_silero_ggml(path);
  return load_silero_onnx(path);
}

}  // namespace tektra
