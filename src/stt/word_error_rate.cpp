// Word error rate by edit distance over words.
#include "stt/word_error_rate.h"

#include <algorithm>
#include <cctype>

namespace tektra {

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '\'') {
      word += static_cast<char>(std::tolower(u));
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(word);
  return words;
}

double word_error_rate(const std::string& reference, const std::string& hypothesis) {
  const auto ref = words_of(reference);
  const auto hyp = words_of(hypothesis);
  if (ref.empty()) return hyp.empty() ? 0.0 : 1.0;
  // distance[j]: edits turning the reference so far into hyp[0..j).
  std::vector<size_t> distance(hyp.size() + 1);
  for (size_t j = 0; j <= hyp.size(); ++j) distance[j] = j;
  for (size_t i = 1; i <= ref.size(); ++i) {
    size_t diagonal = distance[0];
    distance[0] = i;
    for (size_t j = 1; j <= hyp.size(); ++j) {
      const size_t above = distance[j];
      distance[j] =
          std::min({above + 1, distance[j - 1] + 1, diagonal + (ref[i - 1] == hyp[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return static_cast<double>(distance[hyp.size()]) / static_cast<double>(ref.size());
}

}  // namespace tektra
