// Durations in spoken English, both ways: the built-in <duration> slot and timer replies.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace tektra {

// Seconds for a whole span that is exactly one duration: "five minutes", "90 seconds", "a minute",
// "one hour and thirty seconds", "an hour and a half", "half an hour", "two and a half minutes",
// "a quarter of an hour", "1.5 hours". Units are seconds, minutes and hours, each at most once
// and largest first. nullopt for anything else.
std::optional<double> parse_duration(std::span<const std::string> words);

// True for "second", "minutes", "hr" and the other unit words parse_duration accepts.
bool is_duration_unit(const std::string& word);

// "five minutes", "one hour and thirty seconds", "one hour, one minute and one second".
std::string duration_words(int64_t seconds);

// The compound-adjective form for "a five minute timer": "five minute", "one hour thirty minute".
std::string duration_adjective(int64_t seconds);

}  // namespace tektra
