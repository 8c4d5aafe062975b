// A pronunciation dictionary loaded once and shared, so grammar decoders hold only their words.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tektra {

struct Pronunciation {
  std::string spelling;  // as in the dictionary: "what", "what(2)" for an alternate
  std::string phones;    // "HH W AH T"
  bool operator==(const Pronunciation&) const = default;
};

// The text of a CMUSphinx *.dict file plus a sorted index of its lines: ~4 MB for the 135k-word
// en-us dictionary, where each pocketsphinx decoder that loads it spends ~21 MB and ~90 ms.
// Words are case-sensitive, as pocketsphinx looks them up. Immutable, so thread-safe.
class PronunciationDictionary {
 public:
  // Throws Error("engine_unavailable") when the file cannot be read.
  explicit PronunciationDictionary(const std::filesystem::path& file);

  // The word's pronunciations in file order (the word itself, then its alternates "word(2)"...,
  // the order pocketsphinx numbers them in); empty when the word is unknown.
  std::vector<Pronunciation> pronunciations(std::string_view word) const;
  bool contains(std::string_view word) const;
  // The words in `words` the dictionary does not know, in their order.
  std::vector<std::string> missing(const std::vector<std::string>& words) const;
  std::size_t size() const { return words_; }  // distinct words, alternates not counted

 private:
  std::string_view spelling_at(std::uint32_t line) const;
  std::string_view word_at(std::uint32_t line) const;
  std::pair<std::vector<std::uint32_t>::const_iterator, std::vector<std::uint32_t>::const_iterator>
  lines_of(std::string_view word) const;

  std::string text_;
  std::vector<std::uint32_t> lines_;  // offsets of entry lines, by word then file order
  std::size_t words_ = 0;
};

}  // namespace tektra
