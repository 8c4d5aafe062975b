// The pre-tokenizer regexes as matchers: each step takes the first alternative that matches at the
// current position, exactly as the regex engine (and llama.cpp) would, and emits one word.
#include "llm/pretokenize.h"

#include "llm/unicode.h"

namespace tektra::llm {
namespace {

// What the regexes ask of a codepoint: \s, \p{L}, \p{N} or none of them. (White_Space codepoints
// are never letters or numbers.) End stands for positions past the text being split.
enum class Kind : uint8_t { Space, Letter, Number, Other, End };

Kind classify(char32_t cp) {
  if (is_whitespace(cp)) return Kind::Space;
  switch (category(cp)) {
    case Category::Letter:
      return Kind::Letter;
    case Category::Number:
      return Kind::Number;
    default:
      return Kind::Other;
  }
}

// Only ASCII letters matter to the contractions, and no other codepoint lowercases to one of them.
char32_t ascii_lower(char32_t cp) {
  return cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
}

bool is_newline(char32_t cp) {
  return cp == '\r' || cp == '\n';
}

// Splits text[begin, end): the regexes never look past `end`.
class Splitter {
 public:
  Splitter(std::span<const char32_t> text, std::span<const Kind> kinds, size_t begin, size_t end,
           std::vector<size_t>& ends)
      : text_(text), kinds_(kinds), begin_(begin), end_(end), ends_(ends) {}

  void gpt2() {
    for (size_t pos = begin_; pos < end_;) {
      if (const size_t n = contraction(pos, false)) {
        pos = emit(pos + n);
        continue;
      }
      // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`
      const size_t start = pos + (at(pos) == ' ');
      const Kind run = kind(start);
      if (run == Kind::Letter || run == Kind::Number || run == Kind::Other) {
        pos = emit(skip(start, run));
        continue;
      }
      pos = emit(whitespace(pos, false));
    }
  }

  // Llama 3 (max_digits 3) and Qwen2 (max_digits 1).
  void llama3(size_t max_digits) {
    for (size_t pos = begin_; pos < end_;) {
      if (const size_t n = contraction(pos, true)) {
        pos = emit(pos + n);
        continue;
      }
      const char32_t cp = at(pos);
      const Kind k = kind(pos);
      // `[^\r\n\p{L}\p{N}]?\p{L}+`
      if (k == Kind::Letter ||
          (!is_newline(cp) && k != Kind::Number && kind(pos + 1) == Kind::Letter)) {
        pos = emit(skip(pos + 1, Kind::Letter));
        continue;
      }
      // `\p{N}{1,max_digits}`
      if (k == Kind::Number) {
        const size_t start = pos;
        while (kind(pos) == Kind::Number && pos - start < max_digits) ++pos;
        pos = emit(pos);
        continue;
      }
      // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
      const size_t start = pos + (cp == ' ');
      if (kind(start) == Kind::Other) {
        pos = skip(start, Kind::Other);
        while (is_newline(at(pos))) ++pos;
        pos = emit(pos);
        continue;
      }
      pos = emit(whitespace(pos, true));
    }
  }

 private:
  Kind kind(size_t i) const { return i < end_ ? kinds_[i] : Kind::End; }
  char32_t at(size_t i) const { return i < end_ ? text_[i] : 0; }
  size_t skip(size_t i, Kind k) const {
    while (kind(i) == k) ++i;
    return i;
  }
  size_t emit(size_t end) {
    ends_.push_back(end);
    return end;
  }

  // Length of `'s|'t|'re|'ve|'m|'ll|'d` at pos, or 0.
  size_t contraction(size_t pos, bool ignore_case) const {
    if (at(pos) != '\'' || pos + 1 >= end_) return 0;
    const auto fold = [&](char32_t cp) { return ignore_case ? ascii_lower(cp) : cp; };
    const char32_t a = fold(at(pos + 1));
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if (pos + 2 >= end_) return 0;
    const char32_t b = fold(at(pos + 2));
    const bool two = (a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l');
    return two ? 3 : 0;
  }

  // The end of the whitespace word at pos (which is whitespace): `\s*[\r\n]+` when there is a line
  // break and `newlines` asks for it, else `\s+(?!\S)` (leaving the last space to start the next
  // word) or, at the end of the text, `\s+`.
  size_t whitespace(size_t pos, bool newlines) const {
    size_t end = pos;
    size_t after_newline = 0;
    for (; kind(end) == Kind::Space; ++end) {
      if (newlines && is_newline(text_[end])) after_newline = end + 1;
    }
    if (after_newline) return after_newline;
    return end - pos > 1 && end < end_ ? end - 1 : end;
  }

  std::span<const char32_t> text_;
  std::span<const Kind> kinds_;
  size_t begin_;
  size_t end_;
  std::vector<size_t>& ends_;
};

}  // namespace

void pretokenize(PreTokenizer kind, std::span<const char32_t> text, std::vector<size_t>& ends) {
  std::vector<Kind> kinds(text.size());
  for (size_t i = 0; i < text.size(); ++i) kinds[i] = classify(text[i]);
  switch (kind) {
    case PreTokenizer::Gpt2:
      Splitter(text, kinds, 0, text.size(), ends).gpt2();
      break;
    case PreTokenizer::Llama3:
      Splitter(text, kinds, 0, text.size(), ends).llama3(3);
      break;
    case PreTokenizer::Qwen2:
      Splitter(text, kinds, 0, text.size(), ends).llama3(1);
      break;
    case PreTokenizer::DigitsThenGpt2:
      for (size_t pos = 0; pos < text.size();) {
        size_t end = pos + 1;
        if (kinds[pos] != Kind::Number) {
          while (end < text.size() && kinds[end] != Kind::Number) ++end;
          Splitter(text, kinds, pos, end, ends).gpt2();
        } else {
          ends.push_back(end);
        }
        pos = end;
      }
      break;
  }
}

}  // namespace tektra::llm
