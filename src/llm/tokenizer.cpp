// Tokenizer: encoding dispatched to the tokenizer family, and llama.cpp's detokenization.
#include "llm/tokenizer.h"

#include <fmt/format.h>

#include <algorithm>

#include "llm/tokenizer_vocab.h"

namespace tektra::llm {
namespace {

using detail::Vocab;

// llama.cpp's clean_up_tokenization_spaces, in its three passes.
// 1. No space before '?', '!', '.' or ','.
std::string drop_space_before_punctuation(std::string_view text) {
  std::string out(text.substr(0, 1));
  for (size_t i = 1; i < text.size(); ++i) {
    const char x = text[i];
    if (text[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) out.pop_back();
    out += x;
  }
  return out;
}

// 2. No spaces around a lone apostrophe (" ' " -> "'"); the space dropped after it does not count
// as a space before the next character.
std::string drop_spaces_around_apostrophe(std::string_view text) {
  std::string out(text.substr(0, 1));
  bool after_space = !text.empty() && text[0] == ' ';
  for (size_t i = 1; i < text.size(); ++i) {
    const char x = text[i];
    if (x == '\'' && after_space && i + 1 < text.size() && text[i + 1] == ' ') {
      out.back() = x;  // in place of the space before
      ++i;
      after_space = false;
      continue;
    }
    out += x;
    after_space = x == ' ';
  }
  return out;
}

// 3. No space before the contractions 's 'm 're 've.
std::string drop_space_before_contraction(std::string_view text) {
  std::string out(text.substr(0, 1));
  for (size_t i = 1; i < text.size(); ++i) {
    const char x = text[i];
    if (text[i - 1] == ' ' && x == '\'' && i + 1 < text.size()) {
      const char a = text[i + 1];
      const char b = i + 2 < text.size() ? text[i + 2] : '\0';
      if (a == 's' || a == 'm' || (a == 'r' && b == 'e') || (a == 'v' && b == 'e')) out.pop_back();
    }
    out += x;
  }
  return out;
}

std::string clean_spaces(std::string_view text) {
  return drop_space_before_contraction(
      drop_spaces_around_apostrophe(drop_space_before_punctuation(text)));
}

}  // namespace

Tokenizer Tokenizer::from_gguf(const nn::GgufFile& file) {
  return Tokenizer(std::make_shared<const Vocab>(detail::load_vocab(file)));
}

std::vector<Token> Tokenizer::encode(std::string_view text, bool add_special,
                                     bool parse_special) const {
  const Vocab& vocab = *vocab_;
  std::vector<Token> out;
  if (add_special && vocab.add_bos) out.push_back(vocab.bos);
  bool after_special = true;  // SentencePiece puts a space before text that starts a fragment
  for (const detail::Fragment& fragment :
       detail::split_special_tokens(vocab, text, parse_special)) {
    if (fragment.token != kNoToken) {
      out.push_back(fragment.token);
      after_special = true;
      continue;
    }
    if (vocab.family == detail::Family::SentencePiece) {
      detail::spm_encode(vocab, fragment.text, after_special && vocab.add_space_prefix, out);
    } else {
      detail::bpe_encode(vocab, fragment.text, out);
    }
    after_special = false;
  }
  if (add_special && vocab.add_eos) out.push_back(vocab.eos);
  return out;
}

std::string_view Tokenizer::piece(Token token, bool render_special) const {
  const Vocab& vocab = *vocab_;
  if (token < 0 || token >= size()) {
    throw Error("invalid_token",
                fmt::format("token {} is outside the vocabulary of {} tokens", token, size()));
  }
  if (!render_special && (vocab.attrs[token] & (detail::kAttrControl | detail::kAttrUnknown))) {
    return {};
  }
  return vocab.pieces[token];
}

std::string Tokenizer::decode(std::span<const Token> tokens, bool render_special) const {
  std::string text;
  bool strip_space = vocab_->add_space_prefix;  // only from the first token
  for (const Token token : tokens) {
    std::string_view p = piece(token, render_special);
    if (strip_space && !p.empty() && p.front() == ' ') p.remove_prefix(1);
    strip_space = false;
    text += p;
  }
  if (vocab_->clean_spaces) return clean_spaces(text);
  return text;
}

int32_t Tokenizer::size() const {
  return static_cast<int32_t>(vocab_->texts.size());
}
Token Tokenizer::bos() const {
  return vocab_->bos;
}
Token Tokenizer::eos() const {
  return vocab_->eos;
}

std::optional<Token> Tokenizer::eot() const {
  if (vocab_->eot == kNoToken) return std::nullopt;
  return vocab_->eot;
}

bool Tokenizer::is_end_of_generation(Token token) const {
  return std::binary_search(vocab_->end_of_generation.begin(), vocab_->end_of_generation.end(),
                            token);
}

bool Tokenizer::adds_bos() const {
  return vocab_->add_bos;
}
std::string_view Tokenizer::model() const {
  return vocab_->model;
}
std::string_view Tokenizer::pre() const {
  return vocab_->pre;
}

}  // namespace tektra::llm
