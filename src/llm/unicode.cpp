// Codepoint categories looked up in the generated tables, and UTF-8 decoding and encoding.
#include "llm/unicode.h"

#include <algorithm>
#include <iterator>

#include "llm/unicode_tables.h"

namespace tektra::llm {

Category category(char32_t cp) {
  const auto ranges = unicode_tables::category_ranges;
  if (cp > 0x10FFFF) return Category::Undefined;
  const auto after =
      std::upper_bound(ranges.begin(), ranges.end(), cp,
                       [](char32_t c, const auto& range) { return c < range.first; });
  return std::prev(after)->category;
}

bool is_whitespace(char32_t cp) {
  return std::binary_search(unicode_tables::whitespace.begin(), unicode_tables::whitespace.end(),
                            cp);
}

size_t utf8_length_from_lead(uint8_t lead) {
  if (lead < 0xC0) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

namespace {

bool is_continuation(uint8_t b) {
  return (b & 0xC0) == 0x80;
}

// The codepoint of the sequence at text[i] (advancing i), or U+FFFD for one bad byte.
char32_t decode_one(std::string_view text, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[i + k]); };
  const uint8_t lead = byte(0);
  size_t length = 0;
  char32_t cp = 0;
  if (lead < 0x80) {
    length = 1;
    cp = lead;
  } else if (lead >= 0xC0 && lead < 0xE0) {
    length = 2;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead < 0xF0) {
    length = 3;
    cp = lead & 0x0F;
  } else if (lead >= 0xF0 && lead < 0xF8) {
    length = 4;
    cp = lead & 0x07;
  }
  if (length == 0 || i + length > text.size()) {
    ++i;
    return kReplacementCharacter;
  }
  for (size_t k = 1; k < length; ++k) {
    if (!is_continuation(byte(k))) {
      ++i;
      return kReplacementCharacter;
    }
    cp = (cp << 6) | (byte(k) & 0x3F);
  }
  if (cp > 0x10FFFF) {
    ++i;
    return kReplacementCharacter;
  }
  i += length;
  return cp;
}

}  // namespace

void utf8_decode(std::string_view text, std::vector<char32_t>& out) {
  out.clear();
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) out.push_back(decode_one(text, i));
}

void utf8_append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

Utf8Sequence utf8_sequence(std::string_view bytes) {
  const auto lead = static_cast<uint8_t>(bytes[0]);
  if (lead < 0x80) return {Utf8Status::Complete, 1};
  size_t length = 0;
  uint8_t low = 0x80;  // the second byte's range; later bytes are always 80..BF
  uint8_t high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlong forms
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // no overlong forms
    if (lead == 0xF4) high = 0x8F;  // nothing beyond U+10FFFF
  } else {
    return {Utf8Status::Invalid, 1};
  }
  for (size_t k = 1; k < length; ++k) {
    if (k == bytes.size()) return {Utf8Status::Truncated, k};
    const auto b = static_cast<uint8_t>(bytes[k]);
    if (b < low || b > high) return {Utf8Status::Invalid, k};
    low = 0x80;
    high = 0xBF;
  }
  return {Utf8Status::Complete, length};
}

}  // namespace tektra::llm
