// Turning a decoder's best path into the spoken words of a Transcript.
#include "stt/path_words.h"

#include <algorithm>
#include <cctype>

namespace tektra {
namespace {

constexpr std::string_view kNullTransition = "(NULL)";

bool is_spoken(std::string_view word, const std::set<std::string>& fillers) {
  return !word.empty() && word != kNullTransition && fillers.count(std::string(word)) == 0;
}

// Transcripts are lower case whatever the dictionary's spelling.
std::string lower_case(std::string_view word) {
  std::string lower(word);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

void append_word(std::string& text, std::string_view word) {
  if (!text.empty()) text += ' ';
  text += word;
}

}  // namespace

std::string_view base_word(std::string_view word) {
  if (word.size() < 3 || word.back() != ')') return word;
  const auto open = word.rfind('(');
  if (open == std::string_view::npos || open == 0) return word;
  const auto number = word.substr(open + 1, word.size() - open - 2);
  const bool numeric = !number.empty() && std::all_of(number.begin(), number.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
  return numeric ? word.substr(0, open) : word;
}

std::vector<WordTiming> spoken_words(std::span<const Segment> path,
                                     const std::set<std::string>& fillers, double frame_seconds,
                                     const std::function<double(const Segment&)>& confidence) {
  std::vector<WordTiming> words;
  for (const Segment& segment : path) {
    if (!is_spoken(segment.word, fillers)) continue;
    WordTiming word;
    word.word = lower_case(base_word(segment.word));
    word.start_s = segment.first_frame * frame_seconds;
    word.end_s = (segment.last_frame + 1) * frame_seconds;
    word.confidence = confidence(segment);
    words.push_back(std::move(word));
  }
  return words;
}

std::string words_text(const std::vector<WordTiming>& words) {
  std::string text;
  for (const auto& word : words) append_word(text, word.word);
  return text;
}

std::string hypothesis_text(std::string_view hypothesis, const std::set<std::string>& fillers) {
  std::string text;
  size_t at = 0;
  while (at < hypothesis.size()) {
    const size_t begin = hypothesis.find_first_not_of(' ', at);
    if (begin == std::string_view::npos) break;
    size_t end = hypothesis.find(' ', begin);
    if (end == std::string_view::npos) end = hypothesis.size();
    const std::string_view word = hypothesis.substr(begin, end - begin);
    if (is_spoken(word, fillers)) append_word(text, lower_case(base_word(word)));
    at = end;
  }
  return text;
}

}  // namespace tektra
