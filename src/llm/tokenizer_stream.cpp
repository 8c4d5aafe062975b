// TokenTextStream: token pieces joined, released only as whole UTF-8 characters.
#include "llm/tokenizer.h"
#include "llm/unicode.h"

namespace tektra::llm {

TokenTextStream::TokenTextStream(Tokenizer tokenizer, bool render_special)
    : tokenizer_(std::move(tokenizer)), render_special_(render_special) {}

std::string TokenTextStream::push(Token token) {
  pending_ += tokenizer_.piece(token, render_special_);
  return take(false);
}

std::string TokenTextStream::flush() {
  return take(true);
}

// Everything pending up to a character still missing bytes (unless at_end), with ill-formed
// bytes replaced by U+FFFD.
std::string TokenTextStream::take(bool at_end) {
  std::string out;
  const std::string_view bytes = pending_;
  size_t i = 0;
  while (i < bytes.size()) {
    const Utf8Sequence seq = utf8_sequence(bytes.substr(i));
    if (seq.status == Utf8Status::Truncated && !at_end) break;
    if (seq.status == Utf8Status::Complete) {
      out += bytes.substr(i, seq.length);
    } else {
      utf8_append(out, kReplacementCharacter);
    }
    i += seq.length;
  }
  pending_.erase(0, i);
  return out;
}

}  // namespace tektra::llm
