// JSON-constrained sampling at the level of tokens: which tokens may come next so that the
// generated text stays the beginning of one JSON object, and ends when the object does.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "llm/json_acceptor.h"
#include "llm/tokenizer.h"

namespace tektra::llm {

// A vocabulary as constrained sampling sees it, computed once per tokenizer (tens of
// milliseconds for 128k tokens) and shared by every constrained generation: each text token's
// bytes as generation renders them, sorted so that tokens sharing a prefix sit together and have
// that prefix checked once, and the end-of-generation tokens. Control and unknown tokens render
// as nothing and are left out: they never appear inside constrained text. Immutable.
class ConstraintVocab {
 public:
  explicit ConstraintVocab(const Tokenizer& tokenizer);

  const Tokenizer& tokenizer() const { return tokenizer_; }
  size_t longest() const { return longest_; }  // bytes of the longest token
  const std::vector<Token>& end_of_generation() const { return end_of_generation_; }

  // Sets allowed[t] for every text token t whose bytes `acceptor` takes (the other entries are
  // left alone). `scratch` holds longest() + 1 acceptors.
  void mark_accepted(const JsonAcceptor& acceptor, std::span<uint8_t> allowed,
                     std::span<JsonAcceptor> scratch) const;

 private:
  // Tokens in the order of their bytes, each with the bytes it shares with the one before.
  struct Sorted {
    std::vector<Token> tokens;
    std::vector<uint32_t> starts;  // tokens[i]'s bytes are bytes[starts[i], starts[i + 1])
    std::vector<uint16_t> shared;
    std::string bytes;
    void add(Token token, std::string_view text);
    void mark(const JsonAcceptor& acceptor, std::span<uint8_t> allowed,
              std::span<JsonAcceptor> scratch) const;
  };

  Tokenizer tokenizer_;
  Sorted text_;  // every text token
  // Inside a string most tokens are plain text that leaves the acceptor as it was: those are
  // allowed as a block, and only the rest (quotes, escapes, control bytes, pieces of characters)
  // are walked.
  std::vector<uint8_t> plain_in_string_;  // by token
  Sorted not_plain_in_string_;
  std::vector<Token> end_of_generation_;
  size_t longest_ = 0;
};

// One generation's constraint: the text must be a JSON object (JsonAcceptor) made of text
// tokens, and end-of-generation tokens are allowed only once the object is complete (and then
// nothing else is). Check the sampled token with allows() and mask the vocabulary with
// fill_allowed() only when it is refused, as llama.cpp does with grammars: most tokens a model
// picks are fine, and a check costs a few bytes of work against a pass over the vocabulary.
class JsonConstraint {
 public:
  explicit JsonConstraint(std::shared_ptr<const ConstraintVocab> vocab);

  bool allows(Token token) const;
  // allowed[t] = allows(t) for every t < allowed.size() (which may exceed the vocabulary: a
  // model's padding rows are never allowed). Allocates nothing.
  void fill_allowed(std::span<uint8_t> allowed);
  // Records a token that allows() accepted.
  void accept(Token token);

  bool complete() const { return acceptor_.complete(); }
  const JsonAcceptor& acceptor() const { return acceptor_; }

 private:
  std::shared_ptr<const ConstraintVocab> vocab_;
  JsonAcceptor acceptor_;
  std::vector<JsonAcceptor> scratch_;
};

}  // namespace tektra::llm
