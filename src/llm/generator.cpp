#include "llm/generator.h"

#include <algorithm>
#include <chrono>

namespace tektra::llm {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

// Holds back the tail of the text that could still grow into a stop string.
class GenerationRun::StopMatcher {
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

GenerationRun::GenerationRun(const Tokenizer& tokenizer, int64_t n_vocab,
                             std::span<const Token> prompt, const GenerateOptions& options,
                             TextCallback on_text, CancellationToken cancel,
                             std::shared_ptr<const ConstraintVocab> constraint_vocab)
    : tokenizer_(tokenizer),
      prompt_(prompt),
      options_(options),
      on_text_(std::move(on_text)),
      cancel_(std::move(cancel)),
      sampler_(options.sampling, n_vocab),
      stream_(tokenizer),
      stops_(std::make_unique<StopMatcher>(options.stop)),
      start_(std::chrono::steady_clock::now()) {
  if (prompt.empty())
    throw Error("empty_prompt", "the prompt has no tokens (and the model adds no BOS token)");
  g_.prompt_tokens = static_cast<int>(prompt.size());
  g_.seed = sampler_.seed();
  for (Token t : prompt) sampler_.accept(t);
  if (options.format == ResponseFormat::JsonObject) {
    if (!constraint_vocab) constraint_vocab = std::make_shared<const ConstraintVocab>(tokenizer);
    json_.emplace(std::move(constraint_vocab));
    allowed_.resize(static_cast<size_t>(n_vocab));
  }
}

GenerationRun::~GenerationRun() = default;

size_t GenerationRun::reusable_prefix(std::span<const Token> cached) const {
  size_t common = 0;
  while (common < cached.size() && common < prompt_.size() && cached[common] == prompt_[common])
    ++common;
  return std::min(common, prompt_.size() - 1);
}

bool GenerationRun::emit(const std::string& text) {
  g_.text += text;
  return text.empty() || !on_text_ || on_text_(text);
}

std::optional<Token> GenerationRun::next(std::span<const float> logits) {
  const auto token = sample(logits);
  ended_ = !token;
  return token;
}

std::optional<Token> GenerationRun::sample(std::span<const float> logits) {
  const int i = static_cast<int>(g_.tokens.size());
  if (i == 0) {
    g_.prompt_seconds = seconds_since(start_);
    generation_start_ = std::chrono::steady_clock::now();
  }
  if (i >= options_.max_tokens) return std::nullopt;
  if (cancel_.cancelled()) {
    g_.finish = FinishReason::Cancelled;
    return std::nullopt;
  }
  Token token = sampler_.sample(logits);
  if (json_ && !json_->allows(token)) {
    json_->fill_allowed(allowed_);
    token = sampler_.sample(logits, allowed_);
  }
  if (i == 0) g_.first_token_seconds = seconds_since(start_);
  // No token at all can follow only when the vocabulary lacks what the constraint needs (such as
  // an end-of-generation token once the object is complete).
  if (token < 0 || tokenizer_.is_end_of_generation(token)) {
    g_.finish = FinishReason::Stop;
    return std::nullopt;
  }
  if (json_) json_->accept(token);
  sampler_.accept(token);
  g_.tokens.push_back(token);
  if (stops_->append(stream_.push(token))) {
    g_.finish = FinishReason::Stop;
    stop_string_ = true;
    return std::nullopt;
  }
  if (!emit(stops_->take_safe())) {
    g_.finish = FinishReason::Cancelled;
    return std::nullopt;
  }
  // Only end-of-generation could follow a complete object: end without sampling it.
  if (json_ && json_->complete()) {
    g_.finish = FinishReason::Stop;
    return std::nullopt;
  }
  if (i + 1 == options_.max_tokens) return std::nullopt;
  return token;
}

Generation GenerationRun::finish() {
  if (!ended_) g_.finish = FinishReason::Cancelled;
  if (g_.finish != FinishReason::Cancelled) {
    if (!stop_string_) stops_->append(stream_.flush());
    emit(stops_->take_all());
  }
  const bool started = generation_start_ != std::chrono::steady_clock::time_point{};
  g_.generation_seconds = started ? seconds_since(generation_start_) : 0;
  return std::move(g_);
}

Generation generate(Context& context, const Tokenizer& tokenizer, std::span<const Token> prompt,
                    const GenerateOptions& options, const TextCallback& on_text,
                    const CancellationToken& cancel) {
  GenerationRun run(tokenizer, context.model().config().n_vocab, prompt, options, on_text, cancel);
  const size_t common = run.reusable_prefix(context.tokens());
  context.truncate(static_cast<int64_t>(common));
  run.set_cached_tokens(common);
  std::span<const float> logits = context.eval(prompt.subspan(common));
  while (const auto token = run.next(logits)) {
    // A full context drops the older half of what follows the prompt's first token.
    if (context.n_past() >= context.n_ctx()) context.shift(1, (context.n_past() - 1) / 2);
    logits = context.eval(std::span(&*token, 1));
  }
  return run.finish();
}

}  // namespace tektra::llm
