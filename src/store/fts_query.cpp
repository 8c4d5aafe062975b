// fts_match_expression: words only, quoted, so operators and punctuation in user text are inert.
#include <algorithm>
#include <array>
#include <set>
#include <vector>

#include "store/detail/fts_query.h"

namespace tektra {
namespace {

constexpr size_t kMaxWords = 32;

// Words too common to say anything about what a message is about.
constexpr std::array<std::string_view, 64> kStopWords = {
    "a",     "about", "am",    "an",    "and",  "are",  "as",     "at",    "be",  "been", "but",
    "by",    "can",   "could", "did",   "do",   "does", "for",    "from",  "had", "has",  "have",
    "he",    "her",   "him",   "his",   "how",  "i",    "if",     "in",    "is",  "it",   "its",
    "me",    "my",    "of",    "on",    "or",   "our",  "please", "she",   "so",  "that", "the",
    "their", "them",  "then",  "there", "they", "this", "to",     "was",   "we",  "were", "what",
    "when",  "where", "which", "who",   "why",  "will", "with",   "would", "you"};

bool is_word_byte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

}  // namespace

std::string fts_match_expression(std::string_view text) {
  std::vector<std::string> words;
  std::set<std::string> seen;
  for (size_t i = 0; i < text.size() && words.size() < kMaxWords;) {
    if (!is_word_byte(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && is_word_byte(static_cast<unsigned char>(text[end]))) ++end;
    std::string word(text.substr(i, end - i));
    std::transform(word.begin(), word.end(), word.begin(), [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    i = end;
    // Single letters ("s" of "what's") match everything possessive.
    if (word.size() == 1) continue;
    if (std::find(kStopWords.begin(), kStopWords.end(), word) != kStopWords.end()) continue;
    if (seen.insert(word).second) words.push_back(std::move(word));
  }
  std::string expression;
  for (const auto& word : words) {
    if (!expression.empty()) expression += " OR ";
    expression += '"';
    expression += word;  // letters and digits only: nothing to escape
    expression += '"';
  }
  return expression;
}

}  // namespace tektra
