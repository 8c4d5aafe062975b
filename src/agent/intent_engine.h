// Matches typed or transcribed sentences against compiled sentence templates.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/intent_template.h"

namespace tektra {

struct IntentMatch {
  std::string intent;
  // Slot name -> value: numbers as JSON numbers, durations in seconds, text and list values as
  // strings (text keeps the writer's capitals, "Bob").
  nlohmann::json slots = nlohmann::json::object();
  // 0..1: how much of the input the template's own words explain. Each word scores 1 when it is
  // template text, 0.9 in a number, duration or list slot, 0.5 when skipped as filler ("please",
  // "can you") and 0.4 in a free-text slot; the score is the mean over the input's words.
  double score = 0;
};

// Thread-safe after construction: match() and jsgf_grammar() only read.
class IntentEngine {
 public:
  // Compiles `templates` (throws Error("invalid_template")). `ignorable_words` may be skipped
  // anywhere in the input besides the built-in fillers; pass the assistant's name here so
  // "thanks tektra" still means thanks.
  explicit IntentEngine(TemplateSet templates,
                        const std::vector<std::string>& ignorable_words = {});

  // The best-scoring intent for `text`, or nullopt when no sentence matches all of it or the text
  // has more than 64 words. On equal scores the intent listed first wins (user intents are listed
  // before shipped ones).
  std::optional<IntentMatch> match(std::string_view text) const;

  // A JSGF grammar of every intent for grammar-constrained speech recognition (see jsgf_grammar.h).
  std::string jsgf_grammar() const;

  const std::vector<std::string>& intents() const { return compiled_.intents; }
  bool has_intent(std::string_view name) const;
  const TemplateSet& templates() const { return templates_; }

 private:
  TemplateSet templates_;
  CompiledTemplates compiled_;
  std::vector<bool> is_filler_;                     // by vocabulary id
  std::vector<std::vector<int32_t>> lead_phrases_;  // skippable only at the start ("can you")
  int32_t max_nodes_ = 0;
};

}  // namespace tektra
