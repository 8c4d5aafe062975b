// Matrix-multiplication kernels with runtime SIMD dispatch (AVX-512, AVX2, portable scalar).
//
// A matmul multiplies weight rows (any computable TensorType) with activation rows. Activations
// are converted once per matmul into the weight type's activation format (Q8_0, Q8_1, Q8_K, BF16
// or F32), then every output is an integer or float dot product of one weight row with one
// activation row. Kernels never allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nn/tensor_type.h"

namespace tektra::nn {

enum class SimdLevel { Scalar, Avx2, Avx512 };

// The best level this CPU supports (TEKTRA_SIMD=scalar|avx2|avx512 lowers it, for
// tests/benchmarks).
SimdLevel detected_simd_level();
std::string_view simd_level_name(SimdLevel level);

// A row-major weight matrix: `rows` rows of `cols` elements, `row_stride` bytes apart.
struct WeightView {
  TensorType type;
  const void* data;
  int64_t rows;
  int64_t cols;
  size_t row_stride;
};

// Format and size of one activation row of `cols` elements for weights of type `weight`.
TensorType activation_type(TensorType weight);
size_t activation_row_bytes(TensorType weight, int64_t cols);

// Converts one float row into the activation format for `weight`.
void convert_activation_row(TensorType weight, const float* x, void* dst, int64_t cols,
                            SimdLevel level = detected_simd_level());

// out[t * out_stride + r] = dot(weight row r, activation row t) for r in [row_begin, row_end) and
// t in [0, n_tokens). Activation row t starts at `activations + t * activation_stride` bytes.
void matmul_rows(const WeightView& w, int64_t row_begin, int64_t row_end, const void* activations,
                 size_t activation_stride, int64_t n_tokens, float* out, int64_t out_stride,
                 SimdLevel level = detected_simd_level());

// Attention over cached keys and values, `count` rows of `n` floats, `stride` floats apart:
// out[j] = dot(x, row j), and y += sum of weights[j] * row j.
void dot_f32_rows(const float* x, const float* rows, int64_t stride, int64_t count, int64_t n,
                  float* out, SimdLevel level = detected_simd_level());
void axpy_f32_rows(const float* weights, const float* rows, int64_t stride, int64_t count,
                   int64_t n, float* y, SimdLevel level = detected_simd_level());

// x = softmax(scale * x) in place (scale > 0); exponentials to within a few float ulps.
void softmax_f32(float* x, int64_t n, float scale, SimdLevel level = detected_simd_level());
// gate[i] = silu(gate[i]) * up[i], the SwiGLU of a feed-forward block.
void silu_mul_f32(float* gate, const float* up, int64_t n, SimdLevel level = detected_simd_level());

}  // namespace tektra::nn
