#include <fmt/format.h>

#include <cstring>
#include <fstream>

#include "nn/gguf.h"

namespace tektra::nn {
namespace {

// resize + memcpy rather than insert: GCC 12 misreports insert of small objects as overflows.
template <class T>
void append(std::vector<uint8_t>& out, T value) {
  const size_t at = out.size();
  out.resize(at + sizeof(T));
  std::memcpy(out.data() + at, &value, sizeof(T));
}

void append_string(std::vector<uint8_t>& out, std::string_view s) {
  append<uint64_t>(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

void append_type(std::vector<uint8_t>& out, GgufType type) {
  append<uint32_t>(out, static_cast<uint32_t>(type));
}

// Payload of `value` without its leading type id.
void append_payload(std::vector<uint8_t>& out, const GgufValue& value) {
  switch (value.type()) {
    case GgufType::String:
      append_string(out, value.as_string());
      return;
    case GgufType::Array:
      append_type(out, value.element_type());
      append<uint64_t>(out, value.size());
      for (size_t i = 0; i < value.size(); ++i) append_payload(out, value.at(i));
      return;
    case GgufType::F32:
      append<float>(out, static_cast<float>(value.as_double()));
      return;
    case GgufType::F64:
      append<double>(out, value.as_double());
      return;
    case GgufType::Bool:
      append<uint8_t>(out, value.as_bool());
      return;
    case GgufType::U8:
      append<uint8_t>(out, static_cast<uint8_t>(value.as_int()));
      return;
    case GgufType::I8:
      append<int8_t>(out, static_cast<int8_t>(value.as_int()));
      return;
    case GgufType::U16:
      append<uint16_t>(out, static_cast<uint16_t>(value.as_int()));
      return;
    case GgufType::I16:
      append<int16_t>(out, static_cast<int16_t>(value.as_int()));
      return;
    case GgufType::U32:
      append<uint32_t>(out, static_cast<uint32_t>(value.as_int()));
      return;
    case GgufType::I32:
      append<int32_t>(out, static_cast<int32_t>(value.as_int()));
      return;
    case GgufType::U64:
      append<uint64_t>(out, static_cast<uint64_t>(value.as_int()));
      return;
    case GgufType::I64:
      append<int64_t>(out, value.as_int());
      return;
  }
}

template <class T>
std::vector<uint8_t> encode_scalar(GgufType type, T value) {
  std::vector<uint8_t> out;
  append_type(out, type);
  append<T>(out, value);
  return out;
}

}  // namespace

void GgufWriter::put(std::string_view key, std::vector<uint8_t> encoded) {
  for (auto& e : entries_)
    if (e.key == key) {
      e.encoded = std::move(encoded);
      return;
    }
  entries_.push_back({std::string(key), std::move(encoded)});
  if (key == "general.alignment") {
    uint32_t alignment = 0;
    std::memcpy(&alignment, entries_.back().encoded.data() + 4, 4);
    alignment_ = alignment;
  }
}

void GgufWriter::set(std::string_view key, uint32_t value) {
  put(key, encode_scalar(GgufType::U32, value));
}
void GgufWriter::set(std::string_view key, int32_t value) {
  put(key, encode_scalar(GgufType::I32, value));
}
void GgufWriter::set(std::string_view key, uint64_t value) {
  put(key, encode_scalar(GgufType::U64, value));
}
void GgufWriter::set(std::string_view key, float value) {
  put(key, encode_scalar(GgufType::F32, value));
}
void GgufWriter::set(std::string_view key, bool value) {
  put(key, encode_scalar<uint8_t>(GgufType::Bool, value));
}

void GgufWriter::set(std::string_view key, std::string_view value) {
  std::vector<uint8_t> out;
  append_type(out, GgufType::String);
  append_string(out, value);
  put(key, std::move(out));
}

void GgufWriter::set_strings(std::string_view key, const std::vector<std::string>& values) {
  std::vector<uint8_t> out;
  append_type(out, GgufType::Array);
  append_type(out, GgufType::String);
  append<uint64_t>(out, values.size());
  for (const auto& s : values) append_string(out, s);
  put(key, std::move(out));
}

void GgufWriter::set_floats(std::string_view key, const std::vector<float>& values) {
  std::vector<uint8_t> out;
  append_type(out, GgufType::Array);
  append_type(out, GgufType::F32);
  append<uint64_t>(out, values.size());
  for (float v : values) append<float>(out, v);
  put(key, std::move(out));
}

void GgufWriter::set_ints(std::string_view key, const std::vector<int32_t>& values) {
  std::vector<uint8_t> out;
  append_type(out, GgufType::Array);
  append_type(out, GgufType::I32);
  append<uint64_t>(out, values.size());
  for (int32_t v : values) append<int32_t>(out, v);
  put(key, std::move(out));
}

void GgufWriter::copy(std::string_view key, const GgufValue& value) {
  std::vector<uint8_t> out;
  append_type(out, value.type());
  append_payload(out, value);
  put(key, std::move(out));
}

void GgufWriter::add_tensor(std::string_view name, std::vector<int64_t> shape, TensorType type,
                            std::vector<uint8_t> data) {
  if (shape.empty() || shape.size() > 4)
    throw GgufError("invalid_gguf", fmt::format("tensor '{}' needs 1 to 4 dimensions", name));
  int64_t rows = 1;
  for (size_t i = 1; i < shape.size(); ++i) rows *= shape[i];
  const size_t expected = row_bytes(type, shape[0]) * static_cast<size_t>(rows);
  if (shape[0] % traits(type).block_size != 0 || data.size() != expected)
    throw GgufError("invalid_gguf", fmt::format("tensor '{}' holds {} bytes, its shape needs {}",
                                                name, data.size(), expected));
  tensors_.push_back({std::string(name), std::move(shape), type, std::move(data)});
}

std::vector<uint8_t> GgufWriter::header() const {
  std::vector<uint8_t> out;
  append<uint32_t>(out, 0x46554747);
  append<uint32_t>(out, 3);
  append<uint64_t>(out, tensors_.size());
  append<uint64_t>(out, entries_.size());
  for (const auto& e : entries_) {
    append_string(out, e.key);
    out.insert(out.end(), e.encoded.begin(), e.encoded.end());
  }
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    append_string(out, t.name);
    append<uint32_t>(out, static_cast<uint32_t>(t.shape.size()));
    for (int64_t d : t.shape) append<uint64_t>(out, static_cast<uint64_t>(d));
    append<uint32_t>(out, static_cast<uint32_t>(t.type));
    append<uint64_t>(out, offset);
    offset += padded(t.data.size());
  }
  out.resize(padded(out.size()), 0);
  return out;
}

size_t GgufWriter::padded(size_t n) const {
  return (n + alignment_ - 1) / alignment_ * alignment_;
}

std::vector<uint8_t> GgufWriter::serialize() const {
  std::vector<uint8_t> out = header();
  for (const auto& t : tensors_) {
    out.insert(out.end(), t.data.begin(), t.data.end());
    out.resize(out.size() + padded(t.data.size()) - t.data.size(), 0);
  }
  return out;
}

void GgufWriter::write(const std::filesystem::path& path) const {
  const auto temporary = std::filesystem::path(path.string() + ".partial");
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    auto put_bytes = [&out](const uint8_t* p, size_t n) {
      out.write(reinterpret_cast<const char*>(p), static_cast<std::streamsize>(n));
    };
    const auto head = header();
    put_bytes(head.data(), head.size());
    const std::vector<uint8_t> zeros(alignment_, 0);
    for (const auto& t : tensors_) {
      put_bytes(t.data.data(), t.data.size());
      put_bytes(zeros.data(), padded(t.data.size()) - t.data.size());
    }
    if (!out.flush())
      throw Error("write_failed", fmt::format("cannot write '{}'", temporary.string()));
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace tektra::nn
