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
  void (*dot_f32_rows)(const float* x, const float* rows, int64_t stride, int64_t count, int64_t n,
                       float* out);
  void (*axpy_f32_rows)(const float* weights, const float* rows, int64_t stride, int64_t count,
                        int64_t n, float* y);
  void (*softmax_f32)(float* x, int64_t n, float scale);
  void (*silu_mul_f32)(float* gate, const float* up, int64_t n);
};

// The row forms of an instruction set's dot and axpy. Instantiated with each file's own (internal)
// functions, so the loops inline them and stay inside that file's instruction set.
template <float (*Dot)(const float*, const float*, int64_t)>
void dot_rows(const float* x, const float* rows, int64_t stride, int64_t count, int64_t n,
              float* out) {
  for (int64_t j = 0; j < count; ++j) out[j] = Dot(x, rows + j * stride, n);
}

template <void (*Axpy)(float, const float*, float*, int64_t)>
void axpy_rows(const float* weights, const float* rows, int64_t stride, int64_t count, int64_t n,
               float* y) {
  for (int64_t j = 0; j < count; ++j) Axpy(weights[j], rows + j * stride, y, n);
}

// Each table is complete: a level without its own kernel for a type reuses the next lower one's.
// Every converter produces bit-identical output at every level.
const KernelTable& scalar_kernels();
const KernelTable& avx2_kernels();
const KernelTable& avx512_kernels();

}  // namespace tektra::nn::detail
