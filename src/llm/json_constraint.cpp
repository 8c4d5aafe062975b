// ConstraintVocab and JsonConstraint: the vocabulary walked in byte order, sharing prefixes.
#include "llm/json_constraint.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <utility>

namespace tektra::llm {

void ConstraintVocab::Sorted::add(Token token, std::string_view text) {
  const std::string_view previous = tokens.empty()
                                        ? std::string_view()
                                        : std::string_view(bytes).substr(starts[starts.size() - 2]);
  size_t common = 0;
  const size_t most =
      std::min<size_t>({text.size(), previous.size(), std::numeric_limits<uint16_t>::max()});
  while (common < most && text[common] == previous[common]) ++common;
  if (starts.empty()) starts.push_back(0);
  tokens.push_back(token);
  shared.push_back(static_cast<uint16_t>(common));
  bytes += text;
  starts.push_back(static_cast<uint32_t>(bytes.size()));
}

// A walk of the sorted tokens as of a trie: scratch[k] is the acceptor after the first k bytes
// of the token last walked. A token starts from the bytes it shares with the one before, and a
// token that shares the byte that failed the last walk fails without a look, so a refused first
// byte skips every token that starts with it.
void ConstraintVocab::Sorted::mark(const JsonAcceptor& acceptor, std::span<uint8_t> allowed,
                                   std::span<JsonAcceptor> scratch) const {
  constexpr size_t kNone = std::numeric_limits<size_t>::max();
  scratch[0] = acceptor;
  size_t failed_at = kNone;  // the byte of the last walked token that was refused
  const char* text = bytes.data();
  for (size_t i = 0; i < tokens.size(); ++i) {
    const size_t common = shared[i];
    if (failed_at < common) continue;
    const size_t begin = starts[i];
    const size_t length = starts[i + 1] - begin;
    size_t k = common;
    for (; k < length; ++k) {
      scratch[k + 1] = scratch[k];
      if (!scratch[k + 1].push(static_cast<uint8_t>(text[begin + k]))) break;
    }
    if (k == length) {
      failed_at = kNone;
      const auto token = static_cast<size_t>(tokens[i]);
      if (token < allowed.size()) allowed[token] = 1;
    } else {
      failed_at = k;
    }
  }
}

ConstraintVocab::ConstraintVocab(const Tokenizer& tokenizer)
    : tokenizer_(tokenizer), plain_in_string_(static_cast<size_t>(tokenizer.size())) {
  std::vector<std::pair<std::string_view, Token>> text_tokens;
  text_tokens.reserve(static_cast<size_t>(tokenizer.size()));
  for (Token t = 0; t < tokenizer.size(); ++t) {
    if (tokenizer.is_end_of_generation(t)) {
      end_of_generation_.push_back(t);
      continue;
    }
    // What the generated text gets from the token: nothing for control and unknown tokens.
    const std::string_view bytes = tokenizer.piece(t, /*render_special=*/false);
    if (!bytes.empty()) text_tokens.emplace_back(bytes, t);
  }
  std::sort(text_tokens.begin(), text_tokens.end());
  JsonAcceptor in_string;
  in_string.push("{\"\":\"");
  for (const auto& [bytes, token] : text_tokens) {
    text_.add(token, bytes);
    longest_ = std::max(longest_, bytes.size());
    // Without a quote the token cannot leave the string (to come back into another one).
    JsonAcceptor after = in_string;
    if (bytes.find('"') == std::string_view::npos && after.push(bytes) && after.in_string())
      plain_in_string_[static_cast<size_t>(token)] = 1;
    else
      not_plain_in_string_.add(token, bytes);
  }
}

void ConstraintVocab::mark_accepted(const JsonAcceptor& acceptor, std::span<uint8_t> allowed,
                                    std::span<JsonAcceptor> scratch) const {
  if (!acceptor.in_string()) return text_.mark(acceptor, allowed, scratch);
  const size_t n = std::min(allowed.size(), plain_in_string_.size());
  for (size_t t = 0; t < n; ++t) allowed[t] |= plain_in_string_[t];
  not_plain_in_string_.mark(acceptor, allowed, scratch);
}

JsonConstraint::JsonConstraint(std::shared_ptr<const ConstraintVocab> vocab)
    : vocab_(std::move(vocab)), scratch_(vocab_->longest() + 1) {}

bool JsonConstraint::allows(Token token) const {
  const Tokenizer& tokenizer = vocab_->tokenizer();
  if (token < 0 || token >= tokenizer.size()) return false;
  if (tokenizer.is_end_of_generation(token)) return acceptor_.complete();
  if (acceptor_.complete()) return false;
  const std::string_view bytes = tokenizer.piece(token, /*render_special=*/false);
  return !bytes.empty() && acceptor_.accepts(bytes);
}

void JsonConstraint::fill_allowed(std::span<uint8_t> allowed) {
  std::fill(allowed.begin(), allowed.end(), uint8_t{0});
  if (acceptor_.complete()) {
    for (const Token t : vocab_->end_of_generation())
      if (static_cast<size_t>(t) < allowed.size()) allowed[static_cast<size_t>(t)] = 1;
    return;
  }
  if (acceptor_.failed()) return;
  vocab_->mark_accepted(acceptor_, allowed, scratch_);
}

void JsonConstraint::accept(Token token) {
  const Tokenizer& tokenizer = vocab_->tokenizer();
  if (token < 0 || token >= tokenizer.size() || tokenizer.is_end_of_generation(token)) return;
  acceptor_.push(tokenizer.piece(token, /*render_special=*/false));
}

}  // namespace tektra::llm
