// ONNX weights: protobuf wire format walked by field number (ModelProto.graph = 7,
// GraphProto.node = 1 / initializer = 5, NodeProto.output = 2 / op_type = 4 /
// attribute = 5, AttributeProto.t = 5 / g = 6 / graphs = 11, TensorProto.dims = 1 /
// data_type = 2 / float_data = 4 / name = 8 / raw_data = 9 / data_location = 14).
#include "nn/onnx.h"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

namespace tektra::nn {
namespace {

constexpr int kFloat = 1;  // TensorProto.DataType.FLOAT
constexpr int kMaxDepth = 16;

Error corrupt(const std::string& what) {
  return Error("invalid_model", "not a readable ONNX file: " + what);
}

// One protobuf message: a sequence of (field number, wire type, value).
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool done() const { return pos_ >= bytes_.size(); }

  struct Field {
    uint32_t number = 0;
    int wire = 0;
    uint64_t varint = 0;     // wire 0, and wire 1/5 raw bits
    std::string_view bytes;  // wire 2
  };

  Field next() {
    const uint64_t key = varint();
    Field field;
    field.number = static_cast<uint32_t>(key >> 3);
    field.wire = static_cast<int>(key & 7);
    if (field.number == 0) throw corrupt("field number 0");
    switch (field.wire) {
      case 0:
        field.varint = varint();
        break;
      case 1:
        field.varint = fixed(8);
        break;
      case 5:
        field.varint = fixed(4);
        break;
      case 2: {
        const uint64_t size = varint();
        if (size > bytes_.size() - pos_) throw corrupt("truncated");
        field.bytes = bytes_.substr(pos_, size);
        pos_ += size;
        break;
      }
      default:
        throw corrupt(fmt::format("unsupported wire type {}", field.wire));
    }
    return field;
  }

  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size()) throw corrupt("truncated");
      const auto byte = static_cast<uint8_t>(bytes_[pos_++]);
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return value;
    }
    throw corrupt("varint too long");
  }

 private:
  uint64_t fixed(size_t size) {
    if (size > bytes_.size() - pos_) throw corrupt("truncated");
    uint64_t value = 0;
    std::memcpy(&value, bytes_.data() + pos_, size);
    pos_ += size;
    return value;
  }

  std::string_view bytes_;
  size_t pos_ = 0;
};

void append_packed_int64(std::string_view bytes, std::vector<int64_t>& out) {
  Reader packed(bytes);
  while (!packed.done()) out.push_back(static_cast<int64_t>(packed.varint()));
}

struct ParsedTensor {
  std::string name;
  int data_type = 0;
  OnnxTensor tensor;
};

ParsedTensor parse_tensor(std::string_view bytes) {
  ParsedTensor parsed;
  std::string_view raw;
  std::vector<float> floats;
  Reader reader(bytes);
  while (!reader.done()) {
    const auto field = reader.next();
    if (field.number == 1 && field.wire == 0) {
      parsed.tensor.dims.push_back(static_cast<int64_t>(field.varint));
    } else if (field.number == 1 && field.wire == 2) {
      append_packed_int64(field.bytes, parsed.tensor.dims);
    } else if (field.number == 2 && field.wire == 0) {
      parsed.data_type = static_cast<int>(field.varint);
    } else if (field.number == 4 && field.wire == 2) {
      if (field.bytes.size() % 4) throw corrupt("float_data size");
      const size_t first = floats.size();
      floats.resize(first + field.bytes.size() / 4);
      std::memcpy(floats.data() + first, field.bytes.data(), field.bytes.size());
    } else if (field.number == 4 && field.wire == 5) {
      const auto bits = static_cast<uint32_t>(field.varint);
      float value;
      std::memcpy(&value, &bits, 4);
      floats.push_back(value);
    } else if (field.number == 8 && field.wire == 2) {
      parsed.name = std::string(field.bytes);
    } else if (field.number == 9 && field.wire == 2) {
      raw = field.bytes;
    } else if (field.number == 14 && field.wire == 0 && field.varint != 0) {
      throw corrupt("tensor data stored outside the file");
    }
  }
  if (parsed.data_type != kFloat) return parsed;
  int64_t count = 1;
  for (const int64_t dim : parsed.tensor.dims) {
    if (dim < 0 || dim > (int64_t{1} << 32)) throw corrupt("tensor dimension");
    count *= dim;
    if (count > (int64_t{1} << 32)) throw corrupt("tensor too large");
  }
  if (!raw.empty()) {
    if (raw.size() != static_cast<size_t>(count) * 4)
      throw corrupt("raw_data size of " + parsed.name);
    floats.resize(static_cast<size_t>(count));
    std::memcpy(floats.data(), raw.data(), raw.size());
  }
  if (floats.size() != static_cast<size_t>(count)) throw corrupt("float count of " + parsed.name);
  parsed.tensor.values = std::move(floats);
  return parsed;
}

void parse_graph(std::string_view bytes, OnnxWeights& weights, int depth);

void keep(ParsedTensor parsed, const std::string& name, OnnxWeights& weights) {
  if (parsed.data_type == kFloat) weights.tensors[name] = std::move(parsed.tensor);
}

// An attribute holds a tensor (Constant's value) or subgraphs (If's branches).
void parse_attribute(std::string_view bytes, const std::string& output, OnnxWeights& weights,
                     int depth) {
  Reader reader(bytes);
  while (!reader.done()) {
    const auto field = reader.next();
    if (field.wire != 2) continue;
    if (field.number == 5 && !output.empty()) {
      keep(parse_tensor(field.bytes), output, weights);
    } else if (field.number == 6 || field.number == 11) {
      parse_graph(field.bytes, weights, depth + 1);
    }
  }
}

void parse_node(std::string_view bytes, OnnxWeights& weights, int depth) {
  std::string op_type;
  std::string output;
  std::vector<std::string_view> attributes;
  Reader reader(bytes);
  while (!reader.done()) {
    const auto field = reader.next();
    if (field.wire != 2) continue;
    if (field.number == 2 && output.empty()) output = std::string(field.bytes);
    if (field.number == 4) op_type = std::string(field.bytes);
    if (field.number == 5) attributes.push_back(field.bytes);
  }
  const std::string constant_output = op_type == "Constant" ? output : "";
  for (const auto attribute : attributes) {
    parse_attribute(attribute, constant_output, weights, depth);
  }
}

void parse_graph(std::string_view bytes, OnnxWeights& weights, int depth) {
  if (depth > kMaxDepth) throw corrupt("subgraphs nested too deep");
  Reader reader(bytes);
  while (!reader.done()) {
    const auto field = reader.next();
    if (field.wire != 2) continue;
    if (field.number == 1) parse_node(field.bytes, weights, depth);
    if (field.number == 5) {
      auto parsed = parse_tensor(field.bytes);
      const std::string name = parsed.name;
      keep(std::move(parsed), name, weights);
    }
  }
}

}  // namespace

const OnnxTensor& OnnxWeights::at(const std::string& name) const {
  const auto it = tensors.find(name);
  if (it == tensors.end()) throw Error("invalid_model", "the ONNX model has no tensor " + name);
  return it->second;
}

OnnxWeights parse_onnx_weights(const std::string& bytes) {
  OnnxWeights weights;
  bool has_graph = false;
  bool has_ir_version = false;
  Reader reader(bytes);
  while (!reader.done()) {
    const auto field = reader.next();
    if (field.number == 1 && field.wire == 0) has_ir_version = true;
    if (field.number == 7 && field.wire == 2) {
      parse_graph(field.bytes, weights, 0);
      has_graph = true;
    }
  }
  if (!has_ir_version || !has_graph) throw corrupt("no model graph");
  return weights;
}

OnnxWeights read_onnx_weights(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw Error("invalid_model", "cannot open " + path.string());
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return parse_onnx_weights(bytes.str());
}

}  // namespace tektra::nn
