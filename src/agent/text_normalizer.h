// Turns typed or transcribed text into the word tokens the intent matcher compares.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tektra {

struct Token {
  std::string text;     // normalised: lower-case, contractions expanded, British spelling
  std::string surface;  // as written, case kept, for free-text slot values ("Bob", "wife's")
};

// Lower-cases, strips punctuation, expands contractions ("what's" -> "what is"), drops possessive
// "'s", maps American spellings to British ("color" -> "colour"), keeps numbers as single tokens
// ("1,000" -> "1000", "2.5", "-3") and spells arithmetic symbols as words ("12*7" -> 12 times 7).
std::vector<Token> normalize_text(std::string_view text);

// The normalised words of `text` joined by single spaces ("My Favorite  Color" -> "my favourite
// colour"): the form facts are keyed by, so differently typed questions find the same fact.
std::string normalized_phrase(std::string_view text);

// The normalised words for one lower- or mixed-case word without spaces ("What's" -> what, is).
// Template words go through this too, so templates and input always agree.
std::vector<std::string> normalize_word(std::string_view word);

// True for a numeric literal token as produced by normalize_text ("12", "-3", "2.5").
bool is_numeric_literal(std::string_view token);

}  // namespace tektra
