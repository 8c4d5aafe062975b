// Text to token ids and back, for the tokenizers GGUF files describe ("tokenizer.ggml.*"),
// matching llama.cpp token for token: SentencePiece-style ("llama": Llama 2, Phi-3, TinyLlamas)
// and byte-level BPE ("gpt2") with the GPT-2, Llama 3 and Qwen2 pre-tokenizers and their aliases.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nn/gguf.h"

namespace tektra::llm {

using Token = int32_t;
inline constexpr Token kNoToken = -1;

namespace detail {
struct Vocab;
}

// Immutable once loaded; copies share the vocabulary and every method may run on many threads.
class Tokenizer {
 public:
  // Throws tektra::Error("unsupported_tokenizer") naming an unknown tokenizer.ggml.model or
  // tokenizer.ggml.pre, and Error("invalid_tokenizer") for a vocabulary that is malformed.
  static Tokenizer from_gguf(const nn::GgufFile& file);

  // add_special: BOS (and EOS) as tokenizer.ggml.add_bos_token / add_eos_token or the model's
  // defaults say (adds_bos()). parse_special: control-token texts in `text`, such as
  // "<|im_start|>", become those tokens; user-defined tokens are always recognised, as in
  // llama.cpp. Invalid UTF-8 is tokenized as U+FFFD (BPE) or as bytes (SentencePiece).
  std::vector<Token> encode(std::string_view text, bool add_special, bool parse_special) const;

  // The bytes `token` stands for ("<0x0A>" -> "\n", "▁" -> " ", byte-level "Ġ" -> " "). Control
  // and unknown tokens give their text when render_special, else nothing. A piece may be part of
  // a UTF-8 character. Valid while the tokenizer lives; throws Error("invalid_token") for ids
  // outside the vocabulary.
  std::string_view piece(Token token, bool render_special = true) const;

  // llama.cpp's detokenize: the pieces joined, the SentencePiece prefix space removed from the
  // first, and for models that ask for it the clean-up of spaces before punctuation (" ," -> ",").
  std::string decode(std::span<const Token> tokens, bool render_special = true) const;

  int32_t size() const;
  Token bos() const;  // kNoToken when the vocabulary has none
  Token eos() const;  // kNoToken when the vocabulary has none
  std::optional<Token> eot() const;
  // EOS, EOT and the other tokens that end a turn ("<|im_end|>", "<|eot_id|>", ...).
  bool is_end_of_generation(Token token) const;
  bool adds_bos() const;
  std::string_view model() const;  // tokenizer.ggml.model: "llama" or "gpt2"
  std::string_view pre() const;    // tokenizer.ggml.pre ("" when absent)

 private:
  explicit Tokenizer(std::shared_ptr<const detail::Vocab> vocab) : vocab_(std::move(vocab)) {}
  std::shared_ptr<const detail::Vocab> vocab_;
};

// Turns generated tokens into text as they arrive. Output is always valid UTF-8: a character split
// across tokens waits for its last byte, and bytes that cannot form one become U+FFFD.
class TokenTextStream {
 public:
  // Control tokens (such as the end-of-turn token) are rendered only when render_special.
  explicit TokenTextStream(Tokenizer tokenizer, bool render_special = false);

  std::string push(Token token);  // the text that became complete with `token`
  std::string flush();            // whatever is still waiting, at the end of the stream

 private:
  std::string take(bool at_end);
  Tokenizer tokenizer_;
  bool render_special_;
  std::string pending_;
};

}  // namespace tektra::llm
