#include "nn/tensor_type.h"

#include <array>
#include <cctype>
#include <stdexcept>

namespace tektra::nn {
namespace {

constexpr std::array kTraits = {
    TypeTraits{TensorType::F32, "f32", 1, 4, true},
    TypeTraits{TensorType::F16, "f16", 1, 2, true},
    TypeTraits{TensorType::Q4_0, "q4_0", 32, 18, true},
    TypeTraits{TensorType::Q4_1, "q4_1", 32, 20, true},
    TypeTraits{TensorType::Q5_0, "q5_0", 32, 22, true},
    TypeTraits{TensorType::Q5_1, "q5_1", 32, 24, true},
    TypeTraits{TensorType::Q8_0, "q8_0", 32, 34, true},
    TypeTraits{TensorType::Q8_1, "q8_1", 32, 36, false},
    TypeTraits{TensorType::Q2_K, "q2_K", 256, 84, false},
    TypeTraits{TensorType::Q3_K, "q3_K", 256, 110, false},
    TypeTraits{TensorType::Q4_K, "q4_K", 256, 144, true},
    TypeTraits{TensorType::Q5_K, "q5_K", 256, 176, true},
    TypeTraits{TensorType::Q6_K, "q6_K", 256, 210, true},
    TypeTraits{TensorType::Q8_K, "q8_K", 256, 292, false},
    TypeTraits{TensorType::BF16, "bf16", 1, 2, true},
};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

}  // namespace

std::optional<TypeTraits> type_traits(uint32_t raw_type) {
  for (const auto& t : kTraits)
    if (static_cast<uint32_t>(t.type) == raw_type) return t;
  return std::nullopt;
}

const TypeTraits& traits(TensorType type) {
  for (const auto& t : kTraits)
    if (t.type == type) return t;
  throw std::invalid_argument("unknown tensor type");
}

std::string_view type_name(TensorType type) {
  return traits(type).name;
}

std::optional<TensorType> parse_type(std::string_view name) {
  for (const auto& t : kTraits)
    if (iequals(t.name, name)) return t.type;
  return std::nullopt;
}

size_t row_bytes(TensorType type, int64_t n) {
  const auto& t = traits(type);
  return static_cast<size_t>(n / t.block_size) * t.block_bytes;
}

}  // namespace tektra::nn
