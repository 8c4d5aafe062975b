// Reply phrasing helpers; everything here returns text meant to be spoken by TTS.
#include "agent/spoken.h"

#include <fmt/format.h>
#include <array>
#include <cmath>

#include "agent/number_words.h"

namespace tektra {
namespace {

std::string hour_words(int hour24) {
  return number_to_words(hour24 % 12 == 0 ? 12 : hour24 % 12);
}

// The part of the day an hour belongs to, as it follows a spoken time.
std::string_view period(int hour24) {
  if (hour24 < 5) return "at night";
  if (hour24 < 12) return "in the morning";
  if (hour24 < 17) return "in the afternoon";
  if (hour24 < 21) return "in the evening";
  return "at night";
}

// "three in the afternoon": the hour said, and the part of the day of the current hour (so 11:45
// is "quarter to twelve in the morning").
std::string hour_phrase(int said_hour, int current_hour) {
  return fmt::format("{} {}", hour_words(said_hour), period(current_hour));
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string spoken_time(int hour, int minute) {
  int next = (hour + 1) % 24;
  if (minute == 0 && hour == 0) return "midnight";
  if (minute == 0 && hour == 12) return "noon";
  if (minute == 0) return fmt::format("{} o'clock {}", hour_words(hour), period(hour));
  if (minute == 15) return "quarter past " + hour_phrase(hour, hour);
  if (minute == 30) return "half past " + hour_phrase(hour, hour);
  if (minute == 45) return "quarter to " + hour_phrase(next, hour);
  if (minute % 5 == 0 && minute < 30)
    return number_to_words(minute) + " past " + hour_phrase(hour, hour);
  if (minute % 5 == 0) return number_to_words(60 - minute) + " to " + hour_phrase(next, hour);
  // Odd minutes read as on a clock face: "three oh seven", "three twenty-three".
  std::string minutes = minute < 10 ? "oh " + number_to_words(minute) : number_to_words(minute);
  return fmt::format("{} {} {}", hour_words(hour), minutes, period(hour));
}

std::string year_words(int year) {
  if (year < 1000 || year > 9999 || (year >= 2000 && year < 2010)) return number_to_words(year);
  int century = year / 100, rest = year % 100;
  if (rest == 0) {
    return year % 1000 == 0 ? number_to_words(year) : number_to_words(century) + " hundred";
  }
  if (rest < 10) return number_to_words(century) + " oh " + number_to_words(rest);
  return number_to_words(century) + " " + number_to_words(rest);
}

std::string spoken_date(int weekday, int day, int month, int year) {
  return fmt::format("{} the {} of {}, {}", weekday_name(weekday), ordinal_words(day),
                     month_name(month), year_words(year));
}

std::string spoken_number(double value) {
  if (!std::isfinite(value))
    return value > 0 ? "infinity" : value < 0 ? "minus infinity" : "not a number";
  double magnitude = std::abs(value);
  if (magnitude >= 1e15) {
    int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
    double mantissa = value / std::pow(10.0, exponent);
    if (std::abs(mantissa) >= 9.995) {  // log10 rounding, or "{:.3g}" would print 10
      mantissa /= 10;
      ++exponent;
    }
    return fmt::format("about {:.3g} times ten to the power of {}", mantissa, exponent);
  }
  if (value == std::floor(value)) return fmt::format("{}", static_cast<int64_t>(value));
  double rounded = std::round(value * 1e4) / 1e4;
  std::string text = fmt::format("{:.4f}", rounded);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  if (text == "-0") text = "0";
  return rounded == value ? text : "about " + text;
}

std::string join_words(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

std::string flip_pronouns(std::string_view phrase) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kFlips{{
      {"my", "your"},
      {"mine", "yours"},
      {"me", "you"},
      {"myself", "yourself"},
      {"i", "you"},
      {"i'm", "you're"},
      {"your", "my"},
      {"yours", "mine"},
      {"yourself", "myself"},
  }};
  std::string out;
  bool after_i = false;
  size_t start = 0;
  while (start <= phrase.size()) {
    size_t end = phrase.find(' ', start);
    if (end == std::string_view::npos) end = phrase.size();
    std::string_view word = phrase.substr(start, end - start);
    std::string lower = lower_ascii(word);
    std::string replaced(word);
    for (const auto& [from, to] : kFlips) {
      if (lower == from) replaced = to;
    }
    if (after_i && lower == "am") replaced = "are";
    if (after_i && lower == "was") replaced = "were";
    after_i = lower == "i";
    if (!out.empty()) out += ' ';
    out += replaced;
    start = end + 1;
  }
  return out;
}

std::string_view copula_for(std::string_view subject) {
  std::string last = lower_ascii(subject.substr(subject.find_last_of(' ') + 1));
  auto ends = [&](std::string_view s) { return last.size() >= s.size() && last.ends_with(s); };
  if (ends("s") && !ends("ss") && !ends("us") && !ends("is")) return "are";
  return "is";
}

std::string capitalize(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z')
    text[0] = static_cast<char>(text[0] - 'a' + 'A');
  return text;
}

std::string_view weekday_name(int weekday) {
  static constexpr std::array<std::string_view, 7> kDays{
      "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
  return kDays.at(static_cast<size_t>(weekday));
}

std::string_view month_name(int month) {
  static constexpr std::array<std::string_view, 12> kMonths{
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  return kMonths.at(static_cast<size_t>(month - 1));
}

}  // namespace tektra
