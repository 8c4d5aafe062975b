// Byte-level BPE (GPT-2, Llama 3, Qwen2): text cut into words by the pre-tokenizer, each word's
// bytes written as printable characters and merged pairwise in the order of the merge list.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>

#include "llm/symbol_merger.h"
#include "llm/tokenizer_vocab.h"
#include "llm/unicode.h"

namespace tektra::llm::detail {
namespace {

// tokenizer.ggml.pre values llama.cpp gives one of these pre-tokenizers, with its settings for
// them. (Others need pre-tokenizers or quirks this engine does not implement.)
struct PreEntry {
  std::string_view name;
  BpeSettings settings;
};
using enum PreTokenizer;
constexpr BpeSettings kLlama3{Llama3, true, true, true};
constexpr BpeSettings kLlama3Plain{Llama3, true, false, false};
constexpr BpeSettings kQwen2{Qwen2, false, false, false};
constexpr BpeSettings kQwen2Clean{Qwen2, true, false, false};
constexpr BpeSettings kGpt2{Gpt2, true, false, false};
constexpr BpeSettings kGpt2Raw{Gpt2, false, false, false};
constexpr BpeSettings kDigits{DigitsThenGpt2, true, false, false};
constexpr BpeSettings kDigitsRaw{DigitsThenGpt2, false, false, false};
constexpr PreEntry kPres[] = {
    {"llama3", kLlama3},
    {"llama-v3", kLlama3},
    {"llama-bpe", kLlama3},
    {"falcon3", kLlama3},
    {"falcon-h1", kLlama3},
    {"pixtral", kLlama3},
    {"midm-2.0", kLlama3},
    {"lfm2", kLlama3},
    {"jina-v5-nano", kLlama3},
    {"dbrx", kLlama3Plain},
    {"smaug-bpe", kLlama3Plain},
    {"qwen2", kQwen2},
    {"deepseek-r1-qwen", kQwen2},
    {"kormo", kQwen2},
    {"f2llmv2", kQwen2},
    {"hunyuan", kQwen2},
    {"grok-2", kQwen2},
    {"megrez", kQwen2Clean},
    {"stablelm2", kQwen2Clean},
    {"gpt-2", kGpt2},
    {"phi-2", kGpt2},
    {"gigachat", kGpt2},
    {"a.x-4.0", kGpt2},
    {"mellum", kGpt2},
    {"mpt", kGpt2},
    {"olmo", kGpt2},
    {"jais", kGpt2},
    {"exaone4", kGpt2},
    {"trillion", kGpt2Raw},
    {"granite-docling", kGpt2Raw},
    {"starcoder", kDigits},
    {"refact", kDigits},
    {"codeshell", kDigits},
    {"exaone", kDigits},
    {"minerva-7b", kDigits},
    {"mellum2", kDigits},
    {"command-r", kDigitsRaw},
    {"smollm", kDigitsRaw},
};

// GPT-2's bytes_to_unicode: printable bytes stand for themselves, the other 68 (controls, space,
// DEL..NBSP, soft hyphen) move to U+0100..U+0143 so that every byte is a visible character.
char32_t byte_to_char(uint8_t b) {
  if ((b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE) return b;
  if (b <= 0x20) return 0x100 + b;
  if (b <= 0xA0) return 0x121 + (b - 0x7F);
  return 0x143;
}

std::optional<uint8_t> char_to_byte(char32_t c) {
  if ((c >= 0x21 && c <= 0x7E) || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF)) {
    return static_cast<uint8_t>(c);
  }
  if (c >= 0x100 && c <= 0x120) return static_cast<uint8_t>(c - 0x100);
  if (c >= 0x121 && c <= 0x142) return static_cast<uint8_t>(c - 0x121 + 0x7F);
  if (c == 0x143) return 0xAD;
  return std::nullopt;
}

// Merges the characters of one word by merge rank; buffers are kept across the words of a text.
class WordMerger {
 public:
  explicit WordMerger(const Vocab& vocab) : vocab_(vocab) {}

  void merge(std::string_view word, std::vector<Token>& out) {
    // Lower ranks merge first.
    const auto rank = [this](std::string_view a, std::string_view b) -> std::optional<double> {
      key_.assign(a);
      key_ += ' ';
      key_ += b;
      const auto found = vocab_.merge_ranks.find(key_);
      if (found == vocab_.merge_ranks.end()) return std::nullopt;
      return -static_cast<double>(found->second);
    };
    for (const Symbol& symbol : merger_.merge(word, rank)) {
      if (symbol.length == 0) continue;
      const std::string_view piece = word.substr(symbol.offset, symbol.length);
      if (const auto id = vocab_.find(piece)) {
        out.push_back(*id);
        continue;
      }
      // Not reachable with a complete vocabulary; llama.cpp keeps the bytes that are tokens.
      for (size_t i = 0; i < piece.size(); ++i) {
        if (const auto id = vocab_.find(piece.substr(i, 1))) out.push_back(*id);
      }
    }
  }

 private:
  const Vocab& vocab_;
  std::string key_;
  SymbolMerger merger_;
};

}  // namespace

std::optional<BpeSettings> bpe_settings(std::string_view pre) {
  for (const PreEntry& entry : kPres) {
    if (entry.name == pre) return entry.settings;
  }
  return std::nullopt;
}

void bpe_encode(const Vocab& vocab, std::string_view text, std::vector<Token>& out) {
  std::vector<char32_t> codepoints;
  utf8_decode(text, codepoints);
  std::vector<size_t> ends;
  pretokenize(vocab.pre_tokenizer, codepoints, ends);

  WordMerger merger(vocab);
  std::string word;
  std::string utf8;
  size_t begin = 0;
  for (const size_t end : ends) {
    word.clear();
    for (size_t i = begin; i < end; ++i) {
      utf8.clear();
      utf8_append(utf8, codepoints[i]);
      for (const char byte : utf8) utf8_append(word, byte_to_char(static_cast<uint8_t>(byte)));
    }
    begin = end;
    if (vocab.ignore_merges) {
      if (const auto id = vocab.find(word)) {
        out.push_back(*id);
        continue;
      }
    }
    merger.merge(word, out);
  }
}

std::string bpe_normal_piece(std::string_view text) {
  std::vector<char32_t> codepoints;
  utf8_decode(text, codepoints);
  std::string piece;
  for (const char32_t c : codepoints) {
    if (const auto byte = char_to_byte(c)) {
      piece += static_cast<char>(*byte);
      continue;
    }
    // A character outside the byte alphabet: llama.cpp writes it out with the token's text.
    std::string utf8;
    utf8_append(utf8, c);
    piece += "[UNK_BYTE_0x";
    for (const char b : utf8) piece += fmt::format("{:02x}", static_cast<uint8_t>(b));
    piece += text;
    piece += ']';
  }
  return piece;
}

}  // namespace tektra::llm::detail
