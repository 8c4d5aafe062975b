// Turning free text into an FTS5 MATCH expression that can never be a syntax error.
#pragma once

#include <string>
#include <string_view>

namespace tektra {

// The words of `text` (letters and digits, any script; lower-cased ASCII), less single letters
// and common English words, each quoted and OR-ed: "what is my favourite colour?" -> "\"favourite\"
// OR \"colour\"". At most 32 words. Empty when no word is left.
std::string fts_match_expression(std::string_view text);

}  // namespace tektra
