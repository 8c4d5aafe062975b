// Duration parsing and phrasing over normalised words.
#include "agent/duration_words.h"

#include <array>
#include <string_view>
#include <vector>

#include "agent/number_words.h"

namespace tektra {
namespace {

struct Unit {
  std::string_view word;
  int seconds;
};
constexpr std::array<Unit, 12> kUnits{{{"second", 1},
                                       {"seconds", 1},
                                       {"sec", 1},
                                       {"secs", 1},
                                       {"minute", 60},
                                       {"minutes", 60},
                                       {"min", 60},
                                       {"mins", 60},
                                       {"hour", 3600},
                                       {"hours", 3600},
                                       {"hr", 3600},
                                       {"hrs", 3600}}};

int unit_seconds(const std::string& word) {
  for (const auto& u : kUnits) {
    if (word == u.word) return u.seconds;
  }
  return 0;
}

bool is_article(const std::string& w) {
  return w == "a" || w == "an";
}

bool is_and_a_half(std::span<const std::string> w) {
  return w.size() >= 3 && w[0] == "and" && w[1] == "a" && w[2] == "half";
}

// The amount before a unit word: a number, "a"/"an", "half a", "a quarter of an", "two and a half".
std::optional<double> parse_amount(std::span<const std::string> w) {
  if (w.empty()) return std::nullopt;
  if (w.size() == 1 && is_article(w[0])) return 1.0;
  if (w.size() == 2 && w[0] == "half" && is_article(w[1])) return 0.5;
  if (w.size() == 2 && w[0] == "a" && w[1] == "half") return 0.5;
  if (w.size() >= 3 && w[w.size() - 2] == "of" && is_article(w.back())) {
    auto fraction = w.first(w.size() - 2);
    if ((fraction.size() == 1 && fraction[0] == "quarter") ||
        (fraction.size() == 2 && fraction[0] == "a" && fraction[1] == "quarter")) {
      return 0.25;
    }
    if (fraction.size() == 2 && fraction[0] == "three" && fraction[1] == "quarters") return 0.75;
    return std::nullopt;
  }
  if (w.size() > 3 && is_and_a_half(w.last(3))) {
    auto whole = parse_number(w.first(w.size() - 3));
    if (!whole || *whole < 0) return std::nullopt;
    return *whole + 0.5;
  }
  auto number = parse_number(w);
  if (!number || *number < 0) return std::nullopt;
  return number;
}

std::vector<std::string> parts(int64_t seconds, bool adjective) {
  std::vector<std::string> out;
  int64_t hours = seconds / 3600, minutes = seconds / 60 % 60, secs = seconds % 60;
  auto add = [&](int64_t n, const char* unit) {
    if (n == 0) return;
    std::string part = number_to_words(n) + " " + unit;
    if (n != 1 && !adjective) part += "s";
    out.push_back(part);
  };
  add(hours, "hour");
  add(minutes, "minute");
  add(secs, "second");
  if (out.empty()) out.push_back(adjective ? "zero second" : "zero seconds");
  return out;
}

}  // namespace

bool is_duration_unit(const std::string& word) {
  return unit_seconds(word) > 0;
}

std::optional<double> parse_duration(std::span<const std::string> words) {
  double total = 0;
  int last_unit = 0;  // seconds of the previous unit; units must get smaller
  size_t i = 0;
  while (i < words.size()) {
    if (last_unit != 0 && words[i] == "and") ++i;
    size_t unit_at = i;
    while (unit_at < words.size() && !is_duration_unit(words[unit_at])) ++unit_at;
    if (unit_at == words.size()) return std::nullopt;
    auto amount = parse_amount(words.subspan(i, unit_at - i));
    int unit = unit_seconds(words[unit_at]);
    if (!amount || (last_unit != 0 && unit >= last_unit)) return std::nullopt;
    last_unit = unit;
    total += *amount * unit;
    i = unit_at + 1;
    // "an hour and a half"; "an hour and a minute" is a second part instead.
    if (is_and_a_half(words.subspan(i)) &&
        (i + 3 == words.size() || !is_duration_unit(words[i + 3]))) {
      total += 0.5 * unit;
      i += 3;
    }
  }
  if (last_unit == 0) return std::nullopt;
  return total;
}

std::string duration_words(int64_t seconds) {
  std::vector<std::string> p = parts(seconds, false);
  std::string out = p[0];
  for (size_t i = 1; i < p.size(); ++i) out += (i + 1 == p.size() ? " and " : ", ") + p[i];
  return out;
}

std::string duration_adjective(int64_t seconds) {
  std::vector<std::string> p = parts(seconds, true);
  std::string out = p[0];
  for (size_t i = 1; i < p.size(); ++i) out += " " + p[i];
  return out;
}

}  // namespace tektra
