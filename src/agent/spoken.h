// Reply phrasing that reads well aloud: times, dates, numbers, lists, pronouns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tektra {

// "ten past three in the afternoon", "quarter to four", "three o'clock in the morning",
// "three twenty-three in the afternoon", "midnight", "noon". hour 0..23, minute 0..59.
std::string spoken_time(int hour, int minute);

// "Tuesday the fourteenth of May, twenty twenty-four". weekday 0 = Sunday, month 1..12.
std::string spoken_date(int weekday, int day, int month, int year);

// English words for a year: 2024 -> "twenty twenty-four", 2005 -> "two thousand and five".
std::string year_words(int year);

// A number for a reply: "84", "-3", "2.5"; rounded to four decimals with "about" in front when
// that loses precision ("about 0.3333"); "about 1.2 times ten to the power of 20" beyond 10^15.
std::string spoken_number(double value);

// "a", "a and b", "a, b and c".
std::string join_words(const std::vector<std::string>& items);

// Turns the user's point of view into the assistant's: "my keys" -> "your keys", "I" -> "you".
std::string flip_pronouns(std::string_view phrase);

// "is" or "are" to follow a subject ("keys are", "address is", "glasses are").
std::string_view copula_for(std::string_view subject);

// Upper-cases the first ASCII letter.
std::string capitalize(std::string text);

std::string_view weekday_name(int weekday);  // 0 = Sunday
std::string_view month_name(int month);      // 1 = January

}  // namespace tektra
