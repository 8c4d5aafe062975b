// Pre-tokenizers of byte-level BPE models: the regular expressions from their tokenizer.json,
// hand-written as matchers over codepoints (std::regex is slow and has no \p{L}).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace tektra::llm {

enum class PreTokenizer {
  // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
  Gpt2,
  // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|
  // \s*[\r\n]+|\s+(?!\S)|\s+
  Llama3,
  // As Llama3 with \p{N} (single digits) in place of \p{N}{1,3}.
  Qwen2,
  // Every \p{N} split off on its own first, then Gpt2 on the text between (StarCoder, SmolLM).
  DigitsThenGpt2,
};

// Splits `text` into words: appends to `ends` the end index of each word, in order.
void pretokenize(PreTokenizer kind, std::span<const char32_t> text, std::vector<size_t>& ends);

}  // namespace tektra::llm
