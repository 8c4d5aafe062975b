#include "llm/generator.h"

#include <algorithm>
#include <chrono>

namespace tektra::llm {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Holds back the tail of the text that could still grow into a stop string.
class StopMatcher {
 public:
  explicit StopMatcher(const std::vector<std::string>& stops) : stops_(stops) {}

  // Appends text; returns true when a stop string is complete (the text is cut before it).
  bool append(std::string_view piece) {
    pending_ += piece;
    for (const auto& stop : stops_) {
      if (stop.empty()) continue;
      const size_t at = pending_.find(stop);
      if (at != std::string::npos) {
        pending_.resize(at);
        return true;
      }
    }
    return false;
  }

  // Text that can no longer be part of a stop string.
  std::string take_safe() {
    size_t keep = 0;
    for (const auto& stop : stops_) {
      if (stop.empty()) continue;
      for (size_t n = std::min(stop.size() - 1, pending_.size()); n > keep; --n)
        if (pending_.compare(pending_.size() - n, n, stop, 0, n) == 0) {
          keep = n;
          break;
        }
    }
    std::string safe = pending_.substr(0, pending_.size() - keep);
    pending_.erase(0, pending_.size() - keep);
    return safe;
  }

  std::string take_all() { return std::exchange(pending_, {}); }

 private:
  const std::vector<std::string>& stops_;
  std::string pending_;
};

}  // namespace

std::string_view finish_reason_name(FinishReason reason) {
  switch (reason) {
    case FinishReason::Stop:
      return "stop";
    case FinishReason::Length:
      return "length";
    case FinishReason::Cancelled:
      return "cancelled";
  }
  return "stop";
}

Generation generate(Context& context, const Tokenizer& tokenizer, std::span<const Token> prompt,
                    const GenerateOptions& options, const TextCallback& on_text,
                    const CancellationToken& cancel) {
  const auto start = std::chrono::steady_clock::now();
  Generation g;
  g.prompt_tokens = static_cast<int>(prompt.size());
  if (prompt.empty())
    throw Error("empty_prompt", "the prompt has no tokens (and the model adds no BOS token)");

  // Reuse the cached prefix; always evaluate at least the last prompt token for fresh logits.
  const auto& held = context.tokens();
  size_t common = 0;
  while (common < held.size() && common < prompt.size() && held[common] == prompt[common]) ++common;
  common = std::min(common, prompt.size() - 1);
  context.truncate(static_cast<int64_t>(common));
  g.cached_tokens = static_cast<int>(common);
  std::span<const float> logits = context.eval(prompt.subspan(common));
  g.prompt_seconds = seconds_since(start);

  Sampler sampler(options.sampling, context.model().config().n_vocab);
  g.seed = sampler.seed();
  for (Token t : prompt) sampler.accept(t);
  TokenTextStream stream(tokenizer);
  StopMatcher stops(options.stop);
  auto emit = [&](const std::string& text) {
    g.text += text;
    return text.empty() || !on_text || on_text(text);
  };

  const auto generation_start = std::chrono::steady_clock::now();
  g.finish = FinishReason::Length;
  bool stop_string = false;
  for (int i = 0; i < options.max_tokens; ++i) {
    if (cancel.cancelled()) {
      g.finish = FinishReason::Cancelled;
      break;
    }
    const Token token = sampler.sample(logits);
    if (i == 0) g.first_token_seconds = seconds_since(start);
    if (tokenizer.is_end_of_generation(token)) {
      g.finish = FinishReason::Stop;
      break;
    }
    sampler.accept(token);
    g.tokens.push_back(token);
    if (stops.append(stream.push(token))) {
      g.finish = FinishReason::Stop;
      stop_string = true;
      break;
    }
    if (!emit(stops.take_safe())) {
      g.finish = FinishReason::Cancelled;
      break;
    }
    if (i + 1 == options.max_tokens) break;
    // A full context drops the older half of what follows the prompt's first token.
    if (context.n_past() >= context.n_ctx()) context.shift(1, (context.n_past() - 1) / 2);
    logits = context.eval(std::span(&token, 1));
  }
  if (g.finish != FinishReason::Cancelled) {
    if (!stop_string) stops.append(stream.flush());
    emit(stops.take_all());
  }
  g.generation_seconds = seconds_since(generation_start);
  return g;
}

}  // namespace tektra::llm
