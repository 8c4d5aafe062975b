#include "llm/sampler.h"

#include <algorithm>
#include <cmath>

#include "core/ids.h"

namespace tektra::llm {

Sampler::Sampler(SamplingParams params, int64_t n_vocab) : params_(params), seed_(params.seed) {
  if (seed_ == 0) seed_ = random_u64();
  rng_.seed(seed_);
  candidates_.reserve(static_cast<size_t>(n_vocab));
  probabilities_.reserve(static_cast<size_t>(n_vocab));
  counts_.assign(static_cast<size_t>(n_vocab), 0);
  recent_.reserve(static_cast<size_t>(std::max(0, params_.penalty_last_n)));
}

void Sampler::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  recent_.clear();
  recent_next_ = 0;
  rng_.seed(seed_);
}

void Sampler::accept(int32_t token) {
  if (token < 0 || static_cast<size_t>(token) >= counts_.size()) return;
  const size_t window = static_cast<size_t>(std::max(0, params_.penalty_last_n));
  if (window == 0) return;
  if (recent_.size() < window) {
    recent_.push_back(token);
  } else {
    --counts_[static_cast<size_t>(recent_[recent_next_])];
    recent_[recent_next_] = token;
    recent_next_ = (recent_next_ + 1) % window;
  }
  ++counts_[static_cast<size_t>(token)];
}

void Sampler::apply_penalties() {
  const bool any = params_.repeat_penalty != 1.0f || params_.frequency_penalty != 0.0f ||
                   params_.presence_penalty != 0.0f;
  if (!any) return;
  for (auto& c : candidates_) {
    const int32_t count = counts_[static_cast<size_t>(c.id)];
    if (count == 0) continue;
    c.logit = c.logit > 0 ? c.logit / params_.repeat_penalty : c.logit * params_.repeat_penalty;
    c.logit -= static_cast<float>(count) * params_.frequency_penalty + params_.presence_penalty;
  }
}

void Sampler::keep_top_k(size_t k) {
  if (k >= candidates_.size()) {
    std::sort(candidates_.begin(), candidates_.end(),
              [](const Candidate& a, const Candidate& b) { return a.logit > b.logit; });
    return;
  }
  std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(k),
                    candidates_.end(),
                    [](const Candidate& a, const Candidate& b) { return a.logit > b.logit; });
  candidates_.resize(k);
}

// Candidates are sorted by logit (descending) from here on.
void Sampler::to_probabilities(float temperature) {
  probabilities_.resize(candidates_.size());
  const float max = candidates_.front().logit;
  double sum = 0;
  for (size_t i = 0; i < candidates_.size(); ++i) {
    probabilities_[i] = std::exp((candidates_[i].logit - max) / temperature);
    sum += probabilities_[i];
  }
  for (float& p : probabilities_) p = static_cast<float>(p / sum);
}

void Sampler::keep_top_p() {
  if (params_.top_p >= 1.0f) return;
  to_probabilities(1.0f);
  double cumulative = 0;
  size_t keep = candidates_.size();
  for (size_t i = 0; i < candidates_.size(); ++i) {
    cumulative += probabilities_[i];
    if (cumulative >= params_.top_p) {
      keep = i + 1;
      break;
    }
  }
  candidates_.resize(keep);
}

void Sampler::keep_min_p() {
  if (params_.min_p <= 0.0f) return;
  // p_i >= min_p * p_max  <=>  logit_i >= logit_max + log(min_p)
  const float threshold = candidates_.front().logit + std::log(params_.min_p);
  size_t keep = 1;
  while (keep < candidates_.size() && candidates_[keep].logit >= threshold) ++keep;
  candidates_.resize(keep);
}

int32_t Sampler::sample(std::span<const float> logits, std::span<const uint8_t> allowed) {
  candidates_.clear();
  if (allowed.empty()) {
    for (size_t i = 0; i < logits.size(); ++i)
      candidates_.push_back({static_cast<int32_t>(i), logits[i]});
  } else {
    const size_t n = std::min(logits.size(), allowed.size());
    for (size_t i = 0; i < n; ++i)
      if (allowed[i]) candidates_.push_back({static_cast<int32_t>(i), logits[i]});
    if (candidates_.empty()) return -1;
  }
  apply_penalties();
  if (params_.temperature <= 0.0f) {
    // Greedy: the first of equal maxima, as llama.cpp picks.
    return std::max_element(
               candidates_.begin(), candidates_.end(),
               [](const Candidate& a, const Candidate& b) { return a.logit < b.logit; })
        ->id;
  }
  keep_top_k(params_.top_k > 0 ? static_cast<size_t>(params_.top_k) : candidates_.size());
  keep_top_p();
  keep_min_p();
  to_probabilities(params_.temperature);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  double r = uniform(rng_);
  for (size_t i = 0; i < candidates_.size(); ++i) {
    r -= probabilities_[i];
    if (r <= 0) return candidates_[i].id;
  }
  return candidates_.back().id;
}

}  // namespace tektra::llm
