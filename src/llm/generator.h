// Text generation: evaluates a prompt (reusing whatever prefix the context already holds), then
// samples tokens one at a time, streaming text as it becomes valid UTF-8 and certain not to be
// the start of a stop string.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/cancellation.h"
#include "llm/context.h"
#include "llm/json_constraint.h"
#include "llm/sampler.h"
#include "llm/tokenizer.h"

namespace tektra::llm {

enum class ResponseFormat {
  Text,
  // One JSON object (RFC 8259, as JsonAcceptor reads it): each token is sampled among those that
  // keep the text the start of one, and generation ends, as a stop, right after its closing
  // brace. A stop string or max_tokens can still cut it short.
  JsonObject,
};

struct GenerateOptions {
  int max_tokens = 256;
  std::vector<std::string> stop;  // generation ends before the first occurrence of any of these
  SamplingParams sampling;
  ResponseFormat format = ResponseFormat::Text;
};

enum class FinishReason { Stop, Length, Cancelled };
std::string_view finish_reason_name(FinishReason reason);  // "stop", "length", "cancelled"

struct Generation {
  std::string text;           // without the stop string that ended it
  std::vector<Token> tokens;  // generated tokens
  FinishReason finish = FinishReason::Length;
  int prompt_tokens = 0;
  int cached_tokens = 0;           // prompt tokens the context already held
  uint64_t seed = 0;               // the sampler's seed (drawn at random when none was given)
  double prompt_seconds = 0;       // evaluating the prompt
  double first_token_seconds = 0;  // from the start to the first sampled token
  double generation_seconds = 0;   // sampling and evaluating the generated tokens
};

// Receives each piece of text as it is decided; returning false stops generation (as Cancelled).
using TextCallback = std::function<bool(std::string_view)>;

// One generation in progress, advanced a sampled token at a time. Evaluating the model is the
// caller's: one Context (generate() below) or a batch shared with other sequences.
class GenerationRun {
 public:
  // Throws Error("empty_prompt") when the prompt has no tokens. A constrained format (JsonObject)
  // needs the tokenizer's ConstraintVocab: pass one kept for many runs, or the run makes its own.
  GenerationRun(const Tokenizer& tokenizer, int64_t n_vocab, std::span<const Token> prompt,
                const GenerateOptions& options, TextCallback on_text = {},
                CancellationToken cancel = {},
                std::shared_ptr<const ConstraintVocab> constraint_vocab = nullptr);
  ~GenerationRun();
  GenerationRun(const GenerationRun&) = delete;
  GenerationRun& operator=(const GenerationRun&) = delete;

  // How many leading tokens of a sequence's cache the prompt can keep: the common prefix, short
  // of the prompt's last token, which is always evaluated again for fresh logits.
  size_t reusable_prefix(std::span<const Token> cached) const;
  void set_cached_tokens(size_t n) { g_.cached_tokens = static_cast<int>(n); }

  // Takes the logits after the prompt or the previous token, samples and streams; returns the
  // token to evaluate next, or nullopt when the generation has ended (a stop, its length, a
  // cancellation or a callback returning false).
  std::optional<Token> next(std::span<const float> logits);
  // The result; flushes held-back text unless cancelled. Call once: after next() gave nullopt,
  // or earlier to end the generation as cancelled.
  Generation finish();

 private:
  class StopMatcher;
  std::optional<Token> sample(std::span<const float> logits);
  bool emit(const std::string& text);

  const Tokenizer& tokenizer_;
  std::span<const Token> prompt_;
  const GenerateOptions& options_;
  TextCallback on_text_;
  CancellationToken cancel_;
  Sampler sampler_;
  TokenTextStream stream_;
  std::unique_ptr<StopMatcher> stops_;
  std::optional<JsonConstraint> json_;
  std::vector<uint8_t> allowed_;  // the constraint's mask, when the sampled token is refused
  Generation g_;
  std::chrono::steady_clock::time_point start_, generation_start_;
  bool stop_string_ = false;
  bool ended_ = false;  // next() has returned nullopt
};

// Continues `prompt` in `context`. The context keeps the sequence afterwards, so a following
// call whose prompt extends it evaluates only the new tokens. Cancellation is checked before
// every token. Throws Error("context_full") when the prompt does not fit and Error("empty_prompt")
// when it has no tokens.
Generation generate(Context& context, const Tokenizer& tokenizer, std::span<const Token> prompt,
                    const GenerateOptions& options, const TextCallback& on_text = {},
                    const CancellationToken& cancel = {});

}  // namespace tektra::llm
