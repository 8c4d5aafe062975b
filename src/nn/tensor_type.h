// Element types of GGUF tensors, numbered as ggml numbers them on disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tektra::nn {

enum class TensorType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  BF16 = 30,
};

// Elements are stored in blocks: `block_size` elements take `block_bytes` bytes.
struct TypeTraits {
  TensorType type;
  std::string_view name;  // as llama.cpp prints it: "q4_K", "f16", ...
  int64_t block_size;
  size_t block_bytes;
  bool computable;  // this engine can multiply with it (Q2_K/Q3_K are known but not computable)
};

// Traits of a raw on-disk type id; nullopt for ids this engine does not know.
std::optional<TypeTraits> type_traits(uint32_t raw_type);
const TypeTraits& traits(TensorType type);
std::string_view type_name(TensorType type);
// Case-insensitive name lookup ("Q4_K", "q8_0", "bf16").
std::optional<TensorType> parse_type(std::string_view name);
// Bytes of a row of `n` elements; `n` must be a multiple of the block size.
size_t row_bytes(TensorType type, int64_t n);

}  // namespace tektra::nn
