// SentencePiece-style tokenization (Llama 2, Phi-3, TinyLlamas): characters merged pairwise,
// highest-scoring vocabulary entry first, and what no entry covers spelled as byte tokens.
#include <algorithm>
#include <string>

#include "llm/symbol_merger.h"
#include "llm/tokenizer_vocab.h"
#include "llm/unicode.h"

namespace tektra::llm::detail {
namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";  // "▁", how the vocabulary writes a space

}  // namespace

void spm_encode(const Vocab& vocab, std::string_view fragment, bool space_prefix,
                std::vector<Token>& out) {
  std::string text(space_prefix ? kSpace : "");
  for (const char c : fragment) {
    if (c == ' ') {
      text += kSpace;
    } else {
      text += c;
    }
  }
  const std::string_view view = text;

  // Higher vocabulary scores merge first; neighbours are adjacent in `text`.
  const auto score = [&](std::string_view a, std::string_view b) -> std::optional<double> {
    if (const auto id = vocab.find(std::string_view(a.data(), a.size() + b.size())))
      return vocab.scores[*id];
    return std::nullopt;
  };
  SymbolMerger merger;
  for (const Symbol& symbol : merger.merge(view, score)) {
    if (symbol.length == 0) continue;
    const std::string_view piece = view.substr(symbol.offset, symbol.length);
    if (const auto id = vocab.find(piece)) {
      out.push_back(*id);
      continue;
    }
    for (const char c : piece) {
      const Token byte = vocab.byte_tokens[static_cast<uint8_t>(c)];
      if (byte != kNoToken) out.push_back(byte);
    }
  }
}

std::string spm_normal_piece(std::string_view text) {
  std::string piece;
  for (size_t i = 0; i < text.size();) {
    if (text.substr(i, kSpace.size()) == kSpace) {
      piece += ' ';
      i += kSpace.size();
    } else {
      piece += text[i++];
    }
  }
  return piece;
}

}  // namespace tektra::llm::detail
