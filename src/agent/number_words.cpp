// English number words: a strict parser for slot values and a speller for replies.
#include "agent/number_words.h"

#include <array>
#include <cstdlib>
#include <string_view>

#include "agent/text_normalizer.h"

namespace tektra {
namespace {

constexpr std::array<std::string_view, 20> kSmall{
    "zero",     "one",     "two",     "three",     "four",     "five",    "six",
    "seven",    "eight",   "nine",    "ten",       "eleven",   "twelve",  "thirteen",
    "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
constexpr std::array<std::string_view, 10> kTens{"",      "",      "twenty",  "thirty", "forty",
                                                 "fifty", "sixty", "seventy", "eighty", "ninety"};

struct Scale {
  std::string_view word;
  int64_t value;
};
constexpr std::array<Scale, 5> kScales{{{"quintillion", 1'000'000'000'000'000'000},
                                        {"quadrillion", 1'000'000'000'000'000},
                                        {"trillion", 1'000'000'000'000},
                                        {"billion", 1'000'000'000},
                                        {"million", 1'000'000}}};

int small_value(const std::string& w) {
  for (size_t i = 0; i < kSmall.size(); ++i) {
    if (w == kSmall[i]) return static_cast<int>(i);
  }
  return -1;
}

int tens_value(const std::string& w) {
  for (size_t i = 2; i < kTens.size(); ++i) {
    if (w == kTens[i]) return static_cast<int>(i) * 10;
  }
  return -1;
}

int64_t scale_value(const std::string& w) {
  if (w == "thousand") return 1000;
  for (const auto& s : kScales) {
    if (w == s.word) return s.value;
  }
  return -1;
}

// What the previous word was; decides which words may follow.
enum class Last { start, a, unit, teen, tens, hundred, scale, conjunction };

// Parses the digits after "point": one digit word each ("two point five oh" is not accepted).
std::optional<double> parse_fraction(std::span<const std::string> words) {
  if (words.empty()) return std::nullopt;
  double fraction = 0, place = 0.1;
  for (const auto& w : words) {
    int d = small_value(w);
    if (d < 0 || d > 9) return std::nullopt;
    fraction += d * place;
    place /= 10;
  }
  return fraction;
}

std::optional<double> parse_number_words(std::span<const std::string> words) {
  double sign = 1;
  size_t i = 0;
  if (words[0] == "negative" || words[0] == "minus") {
    sign = -1;
    i = 1;
  }
  if (i == words.size()) return std::nullopt;
  if (words.size() - i == 1 && words[i] == "zero") return 0.0;

  int64_t total = 0;  // completed thousands/millions groups
  int64_t group = 0;  // the part below the next scale word
  int64_t last_scale = INT64_MAX;
  Last last = Last::start;
  for (; i < words.size(); ++i) {
    const std::string& w = words[i];
    int small = small_value(w);
    int tens = tens_value(w);
    int64_t scale = scale_value(w);
    if (small >= 1 && small <= 9) {
      bool after_tens = last == Last::tens;
      if (!(last == Last::start || last == Last::hundred || last == Last::scale ||
            last == Last::conjunction || after_tens)) {
        return std::nullopt;
      }
      group += small;
      last = Last::unit;
    } else if (small >= 10) {
      if (!(last == Last::start || last == Last::hundred || last == Last::scale ||
            last == Last::conjunction)) {
        return std::nullopt;
      }
      group += small;
      last = Last::teen;
    } else if (tens > 0) {
      if (!(last == Last::start || last == Last::hundred || last == Last::scale ||
            last == Last::conjunction)) {
        return std::nullopt;
      }
      group += tens;
      last = Last::tens;
    } else if (w == "a" && last == Last::start) {
      group = 1;  // only "a hundred", "a thousand"...; checked by the next word
      last = Last::a;
    } else if (w == "hundred") {
      // "one hundred", "twelve hundred", "a hundred"; not "hundred" alone or "one hundred hundred".
      if (!(last == Last::unit || last == Last::teen || last == Last::tens || last == Last::a) ||
          group <= 0 || group >= 100) {
        return std::nullopt;
      }
      group *= 100;
      last = Last::hundred;
    } else if (scale > 0) {
      if (last == Last::start || last == Last::conjunction || group <= 0 || scale >= last_scale) {
        return std::nullopt;
      }
      total += group * scale;
      group = 0;
      last_scale = scale;
      last = Last::scale;
    } else if (w == "and") {
      // British "one hundred and five", "two thousand and twenty".
      if (!(last == Last::hundred || last == Last::scale)) return std::nullopt;
      last = Last::conjunction;
    } else if (w == "point") {
      // "point five" alone is 0.5.
      if (last == Last::a || last == Last::conjunction) return std::nullopt;
      auto fraction = parse_fraction(words.subspan(i + 1));
      if (!fraction) return std::nullopt;
      return sign * (static_cast<double>(total + group) + *fraction);
    } else {
      return std::nullopt;
    }
  }
  if (last == Last::start || last == Last::a || last == Last::conjunction) return std::nullopt;
  return sign * static_cast<double>(total + group);
}

// Words for 1..999, British style with "and" after hundreds.
std::string below_thousand(int64_t n) {
  std::string out;
  if (n >= 100) {
    out = std::string(kSmall[n / 100]) + " hundred";
    n %= 100;
    if (n == 0) return out;
    out += " and ";
  }
  if (n < 20) return out + std::string(kSmall[n]);
  out += kTens[n / 10];
  if (n % 10 != 0) {
    out += '-';
    out += kSmall[n % 10];
  }
  return out;
}

}  // namespace

bool is_number_word(const std::string& word) {
  return small_value(word) >= 0 || tens_value(word) > 0 || scale_value(word) > 0 ||
         word == "hundred" || word == "and" || word == "point" || word == "a" ||
         word == "negative" || word == "minus";
}

std::optional<double> parse_number(std::span<const std::string> words) {
  if (words.empty()) return std::nullopt;
  if (words.size() == 1 && is_numeric_literal(words[0])) {
    return std::strtod(words[0].c_str(), nullptr);
  }
  return parse_number_words(words);
}

std::string number_to_words(int64_t n) {
  if (n == 0) return "zero";
  // Work on the magnitude as unsigned so INT64_MIN does not overflow.
  uint64_t magnitude = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  std::string out = n < 0 ? "minus" : "";
  auto append = [&out](const std::string& part) {
    if (!out.empty()) out += ' ';
    out += part;
  };
  for (const auto& scale : kScales) {
    uint64_t s = static_cast<uint64_t>(scale.value);
    if (magnitude >= s) {
      append(number_to_words(static_cast<int64_t>(magnitude / s)) + " " + std::string(scale.word));
      magnitude %= s;
    }
  }
  if (magnitude >= 1000) {
    append(below_thousand(static_cast<int64_t>(magnitude / 1000)) + " thousand");
    magnitude %= 1000;
  }
  if (magnitude > 0) {
    // "one thousand and five": the British "and" before a last group below one hundred.
    if (!out.empty() && out != "minus" && magnitude < 100) append("and");
    append(below_thousand(static_cast<int64_t>(magnitude)));
  }
  return out;
}

std::string ordinal_words(int64_t n) {
  std::string words = number_to_words(n);
  size_t split = words.find_last_of(" -");
  std::string head = split == std::string::npos ? "" : words.substr(0, split + 1);
  std::string last = split == std::string::npos ? words : words.substr(split + 1);
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kIrregular{
      {{"one", "first"},
       {"two", "second"},
       {"three", "third"},
       {"five", "fifth"},
       {"eight", "eighth"},
       {"nine", "ninth"},
       {"twelve", "twelfth"},
       {"zero", "zeroth"}}};
  for (const auto& [cardinal, ordinal] : kIrregular) {
    if (last == cardinal) return head + std::string(ordinal);
  }
  if (last.back() == 'y') return head + last.substr(0, last.size() - 1) + "ieth";
  return head + last + "th";
}

}  // namespace tektra
