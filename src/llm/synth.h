// Random-weight models of realistic shape, written as GGUF files that Tektra and llama.cpp both
// load: the fixtures of the engine's tests and benchmarks.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "llm/model_config.h"
#include "nn/tensor_type.h"

namespace tektra::llm {

struct SynthOptions {
  Architecture architecture = Architecture::Llama;
  std::string preset = "tiny";                // tiny | 0.5b | 1b
  nn::TensorType type = nn::TensorType::F32;  // of every matrix (norms stay F32)
  // Vocabulary source (every tokenizer.* key is copied); without one, a 259-token byte vocabulary.
  std::optional<std::filesystem::path> vocab_from;
  uint64_t seed = 1;
  int64_t layers = 0;  // 0: the preset's depth
};

// Throws Error("invalid_argument") for an unknown preset or a type that cannot be written.
void synthesize_model(const SynthOptions& options, const std::filesystem::path& out);

// The type a matrix of `cols` columns gets when `wanted` cannot hold its rows (K quants need
// multiples of 256), following llama.cpp's fallbacks.
nn::TensorType storable_type(nn::TensorType wanted, int64_t cols);

}  // namespace tektra::llm
