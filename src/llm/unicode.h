// Unicode for the tokenizers: codepoint categories (the regex classes \p{L}, \p{N}, \s) and UTF-8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tektra::llm {

// Unicode general category groups: the first letter of the two-letter category (Lu -> Letter).
enum class Category : uint8_t {
  Undefined,  // unassigned (Cn) or beyond U+10FFFF
  Control,    // Cc, Cf, Co, Cs
  Letter,
  Mark,
  Number,
  Punctuation,
  Symbol,
  Separator,
};

Category category(char32_t cp);
bool is_whitespace(char32_t cp);  // the White_Space property
inline bool is_letter(char32_t cp) {
  return category(cp) == Category::Letter;
}
inline bool is_number(char32_t cp) {
  return category(cp) == Category::Number;
}

inline constexpr char32_t kReplacementCharacter = 0xFFFD;

// Length of the UTF-8 sequence `lead` starts, judged from its high bits alone (1 for continuation
// bytes): how SentencePiece-style tokenizers cut text into characters before merging.
size_t utf8_length_from_lead(uint8_t lead);

// Lenient decoding as llama.cpp does it: a byte that does not start a complete sequence becomes
// U+FFFD and decoding resumes at the next byte; overlong forms and surrogates pass through.
void utf8_decode(std::string_view text, std::vector<char32_t>& out);
void utf8_append(std::string& out, char32_t cp);

// Strict well-formedness (Unicode table 3-7), for output that must be valid UTF-8.
enum class Utf8Status {
  Complete,   // a well-formed sequence of `length` bytes
  Truncated,  // all `length` bytes given are a proper prefix of a well-formed sequence
  Invalid,    // the first `length` bytes are ill-formed (the maximal subpart, one U+FFFD's worth)
};
struct Utf8Sequence {
  Utf8Status status;
  size_t length;
};
// The sequence at the start of the non-empty `bytes`.
Utf8Sequence utf8_sequence(std::string_view bytes);

}  // namespace tektra::llm
