// Internal to the tokenizers: the pairwise merging SentencePiece and BPE share. A word starts as
// its UTF-8 characters; the best-valued adjacent pair merges first (ties: the leftmost), until no
// pair has a value. The two tokenizers differ only in how they value a pair.
#pragma once

#include <algorithm>
#include <optional>
#include <queue>
#include <string_view>
#include <vector>

#include "llm/unicode.h"

namespace tektra::llm::detail {

struct Symbol {
  size_t offset;
  size_t length;  // 0 once merged into the symbol before it
  int prev;
  int next;
};

class SymbolMerger {
 public:
  // `value(left, right)` gives the priority of merging two neighbouring pieces of `text` (higher
  // merges first) or nullopt when they cannot merge. Returns the symbols; skip those of length 0.
  // Buffers are kept between calls.
  template <class Value>
  const std::vector<Symbol>& merge(std::string_view text, Value value) {
    symbols_.clear();
    for (size_t offset = 0; offset < text.size();) {
      const size_t length =
          std::min(utf8_length_from_lead(static_cast<uint8_t>(text[offset])), text.size() - offset);
      const int index = static_cast<int>(symbols_.size());
      symbols_.push_back({offset, length, index - 1, index + 1});
      offset += length;
    }
    if (symbols_.empty()) return symbols_;
    symbols_.back().next = -1;

    auto propose = [&](int left, int right) {
      if (left < 0 || right < 0) return;
      const Symbol& a = symbols_[left];
      const Symbol& b = symbols_[right];
      if (const std::optional<double> v =
              value(text.substr(a.offset, a.length), text.substr(b.offset, b.length)))
        queue_.push({*v, left, right, a.length + b.length});
    };
    for (int i = 1; i < static_cast<int>(symbols_.size()); ++i) propose(i - 1, i);

    while (!queue_.empty()) {
      const Pair pair = queue_.top();
      queue_.pop();
      Symbol& left = symbols_[pair.left];
      Symbol& right = symbols_[pair.right];
      // A pair whose sides changed since it was proposed is stale.
      if (left.length == 0 || right.length == 0 || left.length + right.length != pair.length)
        continue;
      left.length += right.length;
      right.length = 0;
      left.next = right.next;
      if (right.next >= 0) symbols_[right.next].prev = pair.left;
      propose(left.prev, pair.left);
      propose(pair.left, left.next);
    }
    return symbols_;
  }

 private:
  struct Pair {
    double value;
    int left;
    int right;
    size_t length;
  };
  struct LowerPriority {
    bool operator()(const Pair& a, const Pair& b) const {
      return a.value < b.value || (a.value == b.value && a.left > b.left);
    }
  };
  std::vector<Symbol> symbols_;
  std::priority_queue<Pair, std::vector<Pair>, LowerPriority> queue_;
};

}  // namespace tektra::llm::detail
