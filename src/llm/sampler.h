// Token sampling: penalties, top-k, top-p, min-p and temperature, then a seeded draw (or the
// argmax when the temperature is 0). Buffers are sized once; sampling allocates nothing.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace tektra::llm {

struct SamplingParams {
  float temperature = 0.8f;     // <= 0: greedy
  int top_k = 40;               // <= 0: off
  float top_p = 0.95f;          // >= 1: off
  float min_p = 0.05f;          // <= 0: off
  float repeat_penalty = 1.0f;  // 1: off; applies to the last `penalty_last_n` tokens
  float frequency_penalty = 0.0f;
  float presence_penalty = 0.0f;
  int penalty_last_n = 64;
  uint64_t seed = 0;  // 0: a random seed
};

class Sampler {
 public:
  Sampler(SamplingParams params, int64_t n_vocab);

  // Chooses the next token from `logits` (n_vocab floats); does not record it.
  int32_t sample(std::span<const float> logits) { return sample(logits, {}); }
  // The same among the tokens t with allowed[t] != 0 (every token when `allowed` is empty); -1
  // when none is allowed. A constraint that refuses the token sample(logits) chose samples again
  // with its mask: both draws come from the seeded generator, so the result stays reproducible.
  int32_t sample(std::span<const float> logits, std::span<const uint8_t> allowed);
  // Records a token of the sequence (prompt or generated) for the penalties.
  void accept(int32_t token);
  void reset();

  const SamplingParams& params() const { return params_; }
  uint64_t seed() const { return seed_; }

 private:
  struct Candidate {
    int32_t id;
    float logit;
  };
  void apply_penalties();
  void keep_top_k(size_t k);
  void keep_top_p();
  void keep_min_p();
  void to_probabilities(float temperature);

  SamplingParams params_;
  uint64_t seed_;
  std::mt19937_64 rng_;
  std::vector<Candidate> candidates_;
  std::vector<float> probabilities_;
  std::vector<int32_t> recent_;  // ring of the last penalty_last_n tokens
  size_t recent_next_ = 0;
  std::vector<int32_t> counts_;  // occurrences of each token within `recent_`
};

}  // namespace tektra::llm
