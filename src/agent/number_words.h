// Numbers spoken as words or written as digits, both ways: parsing slot values and speaking
// replies.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace tektra {

// The value of `words` when the whole span is exactly one number: a numeric literal ("12", "2.5",
// "-3") or English number words ("twelve", "one hundred and five", "a thousand", "twenty five
// thousand three hundred", "two point five", "negative four"). nullopt otherwise ("one two").
std::optional<double> parse_number(std::span<const std::string> words);

// True when `word` can appear inside a spoken number ("five", "hundred", "and", "point").
bool is_number_word(const std::string& word);

// English words for an integer: 105 -> "one hundred and five", 21 -> "twenty-one", -3 -> "minus
// three". Handles the whole int64_t range.
std::string number_to_words(int64_t n);

// Ordinal words: 1 -> "first", 22 -> "twenty-second", 100 -> "one hundredth".
std::string ordinal_words(int64_t n);

}  // namespace tektra
