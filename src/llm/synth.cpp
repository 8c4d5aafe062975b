#include "llm/synth.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include "nn/compute_pool.h"
#include "nn/gguf.h"
#include "nn/quant.h"

namespace tektra::llm {
namespace {

using nn::TensorType;

struct Shape {
  int64_t n_embd, n_layer, n_head, n_head_kv, n_ff, n_ctx;
};

Shape preset_shape(const std::string& preset) {
  if (preset == "tiny") return {256, 2, 4, 2, 512, 512};
  if (preset == "0.5b") return {896, 24, 14, 2, 4864, 32768};  // Qwen2.5-0.5B
  if (preset == "1b") return {2048, 16, 32, 8, 8192, 131072};  // Llama-3.2-1B
  throw Error("invalid_argument",
              fmt::format("unknown preset '{}' (choose tiny, 0.5b or 1b)", preset));
}

// llama.cpp's general.file_type for a model whose matrices are all `type`.
uint32_t file_type(TensorType type) {
  switch (type) {
    case TensorType::F32:
      return 0;
    case TensorType::F16:
      return 1;
    case TensorType::Q4_0:
      return 2;
    case TensorType::Q4_1:
      return 3;
    case TensorType::Q8_0:
      return 7;
    case TensorType::Q5_0:
      return 8;
    case TensorType::Q5_1:
      return 9;
    case TensorType::Q4_K:
      return 15;  // Q4_K_M
    case TensorType::Q5_K:
      return 17;  // Q5_K_M
    case TensorType::Q6_K:
      return 18;
    case TensorType::BF16:
      return 32;
    default:
      return 0;
  }
}

// splitmix64: fast, seedable per row so tensors fill in parallel yet reproducibly.
uint64_t splitmix(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Uniform in [-1, 1).
float unit(uint64_t& state) {
  return static_cast<float>(static_cast<double>(splitmix(state) >> 11) * 0x1p-52 - 1.0);
}

class Builder {
 public:
  Builder(nn::GgufWriter& writer, uint64_t seed) : writer_(writer), seed_(seed) {}

  // Values uniform with standard deviation 1/sqrt(cols), so activations keep their scale.
  void matrix(const std::string& name, int64_t cols, int64_t rows, TensorType wanted) {
    const TensorType type = storable_type(wanted, cols);
    const size_t stride = nn::row_bytes(type, cols);
    std::vector<uint8_t> data(stride * static_cast<size_t>(rows));
    const float amplitude = std::sqrt(3.0f / static_cast<float>(cols));
    const uint64_t tensor_seed = next_seed();
    pool_.parallel_for(rows, 16, [&](int64_t begin, int64_t end) {
      std::vector<float> row(static_cast<size_t>(cols));
      for (int64_t r = begin; r < end; ++r) {
        uint64_t state = tensor_seed ^ (static_cast<uint64_t>(r) * 0x2545f4914f6cdd1dull);
        for (float& v : row) v = amplitude * unit(state);
        nn::quantize_row(type, row.data(), data.data() + static_cast<size_t>(r) * stride, cols);
      }
    });
    writer_.add_tensor(name, {cols, rows}, type, std::move(data));
  }

  // F32 vector around `center`.
  void vector(const std::string& name, int64_t n, float center, float spread) {
    std::vector<float> values(static_cast<size_t>(n));
    uint64_t state = next_seed();
    for (float& v : values) v = center + spread * unit(state);
    std::vector<uint8_t> data(values.size() * sizeof(float));
    std::memcpy(data.data(), values.data(), data.size());
    writer_.add_tensor(name, {n}, TensorType::F32, std::move(data));
  }

 private:
  uint64_t next_seed() { return splitmix(seed_); }
  nn::GgufWriter& writer_;
  uint64_t seed_;
  nn::ComputePool pool_;
};

void byte_vocabulary(nn::GgufWriter& w) {
  std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
  std::vector<int32_t> types = {2, 3, 3};  // unknown, control, control
  for (int b = 0; b < 256; ++b) {
    tokens.push_back(fmt::format("<0x{:02X}>", b));
    types.push_back(6);  // byte
  }
  w.set("tokenizer.ggml.model", "llama");
  w.set_strings("tokenizer.ggml.tokens", tokens);
  w.set_floats("tokenizer.ggml.scores", std::vector<float>(tokens.size(), 0.0f));
  w.set_ints("tokenizer.ggml.token_type", types);
  w.set("tokenizer.ggml.unknown_token_id", uint32_t{0});
  w.set("tokenizer.ggml.bos_token_id", uint32_t{1});
  w.set("tokenizer.ggml.eos_token_id", uint32_t{2});
}

}  // namespace

TensorType storable_type(TensorType wanted, int64_t cols) {
  if (cols % nn::traits(wanted).block_size == 0) return wanted;
  switch (wanted) {
    case TensorType::Q4_K:
      return TensorType::Q5_0;
    case TensorType::Q5_K:
      return TensorType::Q5_1;
    case TensorType::Q6_K:
      return TensorType::Q8_0;
    default:
      break;
  }
  throw Error("invalid_argument",
              fmt::format("{} cannot store rows of {} elements", nn::type_name(wanted), cols));
}

void synthesize_model(const SynthOptions& options, const std::filesystem::path& out) {
  Shape s = preset_shape(options.preset);
  if (options.layers > 0) s.n_layer = options.layers;
  const TensorType type = options.type;
  if (!nn::traits(type).computable)
    throw Error("invalid_argument",
                fmt::format("cannot synthesize {} weights", nn::type_name(type)));
  const Architecture arch = options.architecture;
  const std::string a(architecture_name(arch));
  const int64_t head_dim = s.n_embd / s.n_head;

  nn::GgufWriter w;
  w.set("general.architecture", a);
  // The name leaves out the architecture: llama.cpp treats files named "phi3..." as Phi-3 and then
  // requires Phi-3's own special tokens in the vocabulary.
  w.set("general.name", fmt::format("tektra synthetic {} {}", options.preset, nn::type_name(type)));
  w.set("general.file_type", file_type(type));
  w.set(a + ".context_length", static_cast<uint32_t>(s.n_ctx));
  w.set(a + ".embedding_length", static_cast<uint32_t>(s.n_embd));
  w.set(a + ".block_count", static_cast<uint32_t>(s.n_layer));
  w.set(a + ".feed_forward_length", static_cast<uint32_t>(s.n_ff));
  w.set(a + ".attention.head_count", static_cast<uint32_t>(s.n_head));
  w.set(a + ".attention.head_count_kv", static_cast<uint32_t>(s.n_head_kv));
  w.set(a + ".attention.layer_norm_rms_epsilon", 1e-6f);
  w.set(a + ".rope.freq_base", arch == Architecture::Llama ? 500000.0f : 1000000.0f);
  w.set(a + ".rope.dimension_count", static_cast<uint32_t>(head_dim));
  if (arch == Architecture::Qwen3) {
    w.set(a + ".attention.key_length", static_cast<uint32_t>(head_dim));
    w.set(a + ".attention.value_length", static_cast<uint32_t>(head_dim));
  }

  int64_t n_vocab = 259;
  if (options.vocab_from) {
    const nn::GgufFile vocab = nn::GgufFile::open(*options.vocab_from);
    const nn::GgufValue* tokens = vocab.find("tokenizer.ggml.tokens");
    if (!tokens)
      throw Error("invalid_argument",
                  fmt::format("'{}' has no tokenizer.ggml.tokens", options.vocab_from->string()));
    n_vocab = static_cast<int64_t>(tokens->size());
    for (const auto& m : vocab.metadata())
      if (m.key.starts_with("tokenizer.")) w.copy(m.key, m.value);
  } else {
    byte_vocabulary(w);
  }

  Builder b(w, options.seed);
  const int64_t q_rows = s.n_head * head_dim, kv_rows = s.n_head_kv * head_dim;
  b.matrix("token_embd.weight", s.n_embd, n_vocab, type);
  b.vector("output_norm.weight", s.n_embd, 1.0f, 0.1f);
  // Phi-3 keeps a separate output matrix; the others tie it to the embedding, as the small
  // Llama 3.2 and Qwen 2.5 models do.
  if (arch == Architecture::Phi3) b.matrix("output.weight", s.n_embd, n_vocab, type);
  for (int64_t i = 0; i < s.n_layer; ++i) {
    auto name = [i](std::string_view what) { return fmt::format("blk.{}.{}", i, what); };
    b.vector(name("attn_norm.weight"), s.n_embd, 1.0f, 0.1f);
    if (arch == Architecture::Phi3) {
      b.matrix(name("attn_qkv.weight"), s.n_embd, q_rows + 2 * kv_rows, type);
    } else {
      b.matrix(name("attn_q.weight"), s.n_embd, q_rows, type);
      b.matrix(name("attn_k.weight"), s.n_embd, kv_rows, type);
      b.matrix(name("attn_v.weight"), s.n_embd, kv_rows, type);
    }
    if (arch == Architecture::Qwen2) {
      b.vector(name("attn_q.bias"), q_rows, 0.0f, 0.1f);
      b.vector(name("attn_k.bias"), kv_rows, 0.0f, 0.1f);
      b.vector(name("attn_v.bias"), kv_rows, 0.0f, 0.1f);
    }
    if (arch == Architecture::Qwen3) {
      b.vector(name("attn_q_norm.weight"), head_dim, 1.0f, 0.1f);
      b.vector(name("attn_k_norm.weight"), head_dim, 1.0f, 0.1f);
    }
    b.matrix(name("attn_output.weight"), q_rows, s.n_embd, type);
    b.vector(name("ffn_norm.weight"), s.n_embd, 1.0f, 0.1f);
    if (arch == Architecture::Phi3) {
      b.matrix(name("ffn_up.weight"), s.n_embd, 2 * s.n_ff, type);
    } else {
      b.matrix(name("ffn_gate.weight"), s.n_embd, s.n_ff, type);
      b.matrix(name("ffn_up.weight"), s.n_embd, s.n_ff, type);
    }
    b.matrix(name("ffn_down.weight"), s.n_ff, s.n_embd, type);
  }
  w.write(out);
}

}  // namespace tektra::llm
