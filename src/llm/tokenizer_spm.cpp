// SentencePiece-style tokenization (Llama 2, Phi-3, TinyLlamas): characters merged pairwise,
// highest-scoring vocabulary entry first, and what no entry covers spelled as byte tokens.
#include <algorithm>
#include <queue>
#include <string>

#include "llm/tokenizer_vocab.h"
#include "llm/unicode.h"

namespace tektra::llm::detail {
namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";  // "▁", how the vocabulary writes a space

struct Symbol {
  int prev;
  int next;
  size_t offset;
  size_t length;  // 0 once merged into the symbol before it
};

struct Bigram {
  float score;
  int left;
  int right;
  size_t length;  // of the pair when it was proposed: a pair that changed since is stale
};

// Highest score first; on a tie the leftmost pair.
struct LowerPriority {
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

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

  std::vector<Symbol> symbols;
  for (size_t offset = 0; offset < text.size();) {
    const size_t length =
        std::min(utf8_length_from_lead(static_cast<uint8_t>(text[offset])), text.size() - offset);
    const int index = static_cast<int>(symbols.size());
    symbols.push_back({index - 1, offset + length < text.size() ? index + 1 : -1, offset, length});
    offset += length;
  }

  std::priority_queue<Bigram, std::vector<Bigram>, LowerPriority> queue;
  const auto propose = [&](int left, int right) {
    if (left < 0 || right < 0) return;
    const size_t length = symbols[left].length + symbols[right].length;
    if (const auto id = vocab.find(view.substr(symbols[left].offset, length))) {
      queue.push({vocab.scores[*id], left, right, length});
    }
  };
  for (int i = 1; i < static_cast<int>(symbols.size()); ++i) propose(i - 1, i);

  while (!queue.empty()) {
    const Bigram pair = queue.top();
    queue.pop();
    Symbol& left = symbols[pair.left];
    Symbol& right = symbols[pair.right];
    if (left.length == 0 || right.length == 0 || left.length + right.length != pair.length) {
      continue;
    }
    left.length += right.length;
    right.length = 0;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = pair.left;
    propose(left.prev, pair.left);
    propose(pair.left, left.next);
  }

  for (int i = symbols.empty() ? -1 : 0; i != -1; i = symbols[i].next) {
    const std::string_view piece = view.substr(symbols[i].offset, symbols[i].length);
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
