// A pronunciation dictionary loaded once and shared, so grammar decoders hold only their words.
#include "stt/pronunciation_dictionary.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <limits>

#include "core/error.h"

namespace tektra {
namespace {

constexpr std::string_view kBlanks = " \t\r\n\v\f";

// sphinxbase's dict_read: lines starting "##" or ";;" are comments; the first blank-separated
// token is the spelling, the rest the phones.
bool is_comment(std::string_view line) {
  return line.starts_with("##") || line.starts_with(";;");
}

// pocketsphinx's dict_word2basestr: "what(2)" is an alternate of "what".
std::string_view base_word(std::string_view spelling) {
  if (spelling.size() > 2 && spelling.back() == ')') {
    const auto open = spelling.rfind('(');
    if (open != std::string_view::npos && open > 0) return spelling.substr(0, open);
  }
  return spelling;
}

}  // namespace

PronunciationDictionary::PronunciationDictionary(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("engine_unavailable", "cannot read " + file.string());
  text_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (text_.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw Error("engine_unavailable", file.string() + " is too large for a dictionary");
  }
  const std::string_view text = text_;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    const size_t word = line.find_first_not_of(kBlanks);
    // A line needs a spelling and at least one phone; pocketsphinx skips any other.
    if (!is_comment(line) && word != std::string_view::npos) {
      const size_t gap = line.find_first_of(kBlanks, word);
      if (gap != std::string_view::npos &&
          line.find_first_not_of(kBlanks, gap) != std::string_view::npos) {
        lines_.push_back(static_cast<std::uint32_t>(at + word));
      }
    }
    at = end + 1;
  }
  lines_.shrink_to_fit();
  // Sorted with each line's word taken out once: ~8x faster than finding it in every compare.
  std::vector<std::pair<std::string_view, std::uint32_t>> keyed;
  keyed.reserve(lines_.size());
  for (const std::uint32_t line : lines_) keyed.emplace_back(word_at(line), line);
  std::sort(keyed.begin(), keyed.end());
  for (size_t i = 0; i < keyed.size(); ++i) {
    lines_[i] = keyed[i].second;
    if (i == 0 || keyed[i].first != keyed[i - 1].first) ++words_;
  }
}

std::string_view PronunciationDictionary::spelling_at(std::uint32_t line) const {
  const std::string_view rest = std::string_view(text_).substr(line);
  return rest.substr(0, rest.find_first_of(kBlanks));
}

std::string_view PronunciationDictionary::word_at(std::uint32_t line) const {
  return base_word(spelling_at(line));
}

std::pair<std::vector<std::uint32_t>::const_iterator, std::vector<std::uint32_t>::const_iterator>
PronunciationDictionary::lines_of(std::string_view word) const {
  const auto first = std::partition_point(lines_.begin(), lines_.end(),
                                          [&](std::uint32_t line) { return word_at(line) < word; });
  auto last = first;
  while (last != lines_.end() && word_at(*last) == word) ++last;
  return {first, last};
}

std::vector<Pronunciation> PronunciationDictionary::pronunciations(std::string_view word) const {
  std::vector<Pronunciation> found;
  const auto [first, last] = lines_of(word);
  for (auto it = first; it != last; ++it) {
    Pronunciation pronunciation;
    pronunciation.spelling = spelling_at(*it);
    std::string_view rest = std::string_view(text_).substr(*it + pronunciation.spelling.size());
    rest = rest.substr(0, rest.find('\n'));
    for (size_t at = rest.find_first_not_of(kBlanks); at != std::string_view::npos;
         at = rest.find_first_not_of(kBlanks, at)) {
      const size_t end = std::min(rest.find_first_of(kBlanks, at), rest.size());
      if (!pronunciation.phones.empty()) pronunciation.phones += ' ';
      pronunciation.phones += rest.substr(at, end - at);
      at = end;
    }
    found.push_back(std::move(pronunciation));
  }
  return found;
}

bool PronunciationDictionary::contains(std::string_view word) const {
  const auto [first, last] = lines_of(word);
  return first != last;
}

std::vector<std::string> PronunciationDictionary::missing(
    const std::vector<std::string>& words) const {
  std::vector<std::string> unknown;
  for (const auto& word : words) {
    if (!contains(word)) unknown.push_back(word);
  }
  return unknown;
}

}  // namespace tektra
