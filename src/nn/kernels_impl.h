// Internal to src/nn: the per-instruction-set kernel tables behind kernels.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nn/kernels.h"

namespace tektra::nn::detail {

// matmul_rows for one weight type, with arguments already validated.
using MatmulFn = void (*)(const WeightView& w, int64_t row_begin, int64_t row_end,
                          const void* activations, size_t activation_stride, int64_t n_tokens,
                          float* out, int64_t out_stride);
// One float row into an activation format.
using ConvertFn = void (*)(const float* x, void* dst, int64_t cols);

struct KernelTable {
  MatmulFn f32, f16, bf16, q4_0, q4_1, q5_0, q5_1, q8_0, q4_k, q5_k, q6_k;
  ConvertFn to_bf16, to_q8_0, to_q8_1, to_q8_k;
  float (*dot_f32)(const float* a, const float* b, int64_t n);
  void (*axpy_f32)(float a, const float* x, float* y, int64_t n);
};

// Each table is complete: a level without its own kernel for a type reuses the next lower one's.
// Every converter produces bit-identical output at every level.
const KernelTable& scalar_kernels();
const KernelTable& avx2_kernels();
const KernelTable& avx512_kernels();

}  // namespace tektra::nn::detail
