// Dispatch of the reference row conversions by tensor type, and the float formats.
#include "nn/quant.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "nn/fp16.h"
#include "nn/quant_detail.h"

namespace tektra::nn {
namespace {

[[noreturn]] void unsupported(TensorType type, const char* what) {
  throw std::invalid_argument(std::string(what) + ": unsupported tensor type " +
                              std::string(type_name(type)));
}

}  // namespace

void dequantize_row(TensorType type, const void* src, float* dst, int64_t n) {
  using namespace detail;
  switch (type) {
    case TensorType::F32:
      std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
      return;
    case TensorType::F16: {
      const auto* h = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(h[i]);
      return;
    }
    case TensorType::BF16: {
      const auto* b = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_fp32(b[i]);
      return;
    }
    case TensorType::Q4_0:
      return dequantize_q4_0(static_cast<const BlockQ4_0*>(src), dst, n);
    case TensorType::Q4_1:
      return dequantize_q4_1(static_cast<const BlockQ4_1*>(src), dst, n);
    case TensorType::Q5_0:
      return dequantize_q5_0(static_cast<const BlockQ5_0*>(src), dst, n);
    case TensorType::Q5_1:
      return dequantize_q5_1(static_cast<const BlockQ5_1*>(src), dst, n);
    case TensorType::Q8_0:
      return dequantize_q8_0(static_cast<const BlockQ8_0*>(src), dst, n);
    case TensorType::Q8_1:
      return dequantize_q8_1(static_cast<const BlockQ8_1*>(src), dst, n);
    case TensorType::Q4_K:
      return dequantize_q4_k(static_cast<const BlockQ4_K*>(src), dst, n);
    case TensorType::Q5_K:
      return dequantize_q5_k(static_cast<const BlockQ5_K*>(src), dst, n);
    case TensorType::Q6_K:
      return dequantize_q6_k(static_cast<const BlockQ6_K*>(src), dst, n);
    case TensorType::Q8_K:
      return dequantize_q8_k(static_cast<const BlockQ8_K*>(src), dst, n);
    default:
      unsupported(type, "dequantize_row");
  }
}

void quantize_row(TensorType type, const float* src, void* dst, int64_t n) {
  using namespace detail;
  switch (type) {
    case TensorType::F32:
      std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
      return;
    case TensorType::F16: {
      auto* h = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) h[i] = fp32_to_fp16(src[i]);
      return;
    }
    case TensorType::BF16: {
      auto* b = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) b[i] = fp32_to_bf16(src[i]);
      return;
    }
    case TensorType::Q4_0:
      return quantize_q4_0(src, static_cast<BlockQ4_0*>(dst), n);
    case TensorType::Q4_1:
      return quantize_q4_1(src, static_cast<BlockQ4_1*>(dst), n);
    case TensorType::Q5_0:
      return quantize_q5_0(src, static_cast<BlockQ5_0*>(dst), n);
    case TensorType::Q5_1:
      return quantize_q5_1(src, static_cast<BlockQ5_1*>(dst), n);
    case TensorType::Q8_0:
      return quantize_q8_0(src, static_cast<BlockQ8_0*>(dst), n);
    case TensorType::Q8_1:
      return quantize_q8_1(src, static_cast<BlockQ8_1*>(dst), n);
    case TensorType::Q4_K:
      return quantize_q4_k(src, static_cast<BlockQ4_K*>(dst), n);
    case TensorType::Q5_K:
      return quantize_q5_k(src, static_cast<BlockQ5_K*>(dst), n);
    case TensorType::Q6_K:
      return quantize_q6_k(src, static_cast<BlockQ6_K*>(dst), n);
    case TensorType::Q8_K:
      return quantize_q8_k(src, static_cast<BlockQ8_K*>(dst), n);
    default:
      unsupported(type, "quantize_row");
  }
}

}  // namespace tektra::nn
