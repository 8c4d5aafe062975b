// Whole-tensor operations of a transformer forward pass, built on the kernels.
#pragma once

#include <cstdint>
#include <span>

#include "nn/compute_pool.h"
#include "nn/kernels.h"

namespace tektra::nn {

// Bytes of scratch `matmul` needs for `n_tokens` activation rows against `w`.
size_t matmul_scratch_bytes(const WeightView& w, int64_t n_tokens);

// out[t * w.rows + r] = W[r] . x[t * w.cols ...] for every token t, on all threads of `pool`.
void matmul(ComputePool& pool, const WeightView& w, const float* x, int64_t n_tokens, float* out,
            std::span<uint8_t> scratch);

// y = x / rms(x) * weight (weight may be null: no scaling).
void rms_norm(const float* x, const float* weight, float* y, int64_t n, float eps);
// y[i] += x[i]
void add(float* y, const float* x, int64_t n);

}  // namespace tektra::nn
