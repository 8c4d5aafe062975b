// SentenceSplitter: finds sentence ends in streamed text as early as the text seen so far allows.
#include <array>
#include <cctype>
#include <span>
#include <string_view>

#include "tts/tts.h"

namespace tektra {
namespace {

// Where the splitter is unsure, it keeps the sentence going: a missed split only delays speech a
// little, while a wrong one breaks one sentence's intonation in two.

enum class Verdict { kEnd, kContinue, kNeedMore };

struct Scan {
  Verdict verdict;
  size_t next;  // kEnd: where the sentence ends; kContinue: where to look next
};

constexpr std::array<std::string_view, 7> kTerminators = {".", "!", "?", "…", "。", "！", "？"};
constexpr std::array<std::string_view, 10> kClosers = {")", "]", "}",  "\"", "'",
                                                       "”", "’", "」", "』", "»"};
constexpr std::array<std::string_view, 3> kFullWidthTerminators = {"。", "！", "？"};
// Titles before a name and Latin shorthands inside a sentence: (almost) never its end.
constexpr std::array<std::string_view, 22> kNeverFinal = {
    "mr",  "mrs", "ms",  "dr",   "prof", "st",  "mt", "rev", "sen", "gov", "gen",
    "col", "lt",  "sgt", "capt", "e.g",  "i.e", "vs", "cf",  "viz", "u.s", "u.k"};
// Abbreviations that end a sentence only when no lower-case word or number follows.
constexpr std::array<std::string_view, 13> kMaybeFinal = {
    "etc", "a.m", "p.m", "inc", "ltd", "co", "corp", "jr", "sr", "no", "approx", "fig", "vol"};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

template <size_t N>
bool contains(const std::array<std::string_view, N>& words, std::string_view word) {
  for (std::string_view known : words) {
    if (known == word) return true;
  }
  return false;
}

// Length of the token from `tokens` that `text` holds at `pos`, 0 for none, or npos when the text
// stops part-way through one (a multi-byte character still arriving).
size_t token_at(std::string_view text, size_t pos, std::span<const std::string_view> tokens) {
  const std::string_view rest = text.substr(pos);
  for (std::string_view token : tokens) {
    if (rest.starts_with(token)) return token.size();
  }
  for (std::string_view token : tokens) {
    if (token.starts_with(rest)) return std::string_view::npos;
  }
  return 0;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// After an ellipsis or an ambiguous abbreviation, the next word decides: a lower-case word or a
// number carries the sentence on ("at 5 p.m. on Monday"), anything else starts a new one.
Scan decide_by_next_word(std::string_view text, size_t pos, size_t end) {
  for (size_t k = end; k < text.size(); ++k) {
    const auto c = static_cast<unsigned char>(text[k]);
    if (c == '\n') return {Verdict::kEnd, end};
    if (is_space(static_cast<char>(c))) continue;
    const bool carries_on = std::islower(c) || std::isdigit(c);
    return {carries_on ? Verdict::kContinue : Verdict::kEnd, end};
  }
  return {Verdict::kNeedMore, pos};
}

// A single full stop at `pos` followed by whitespace: what the word before it says.
Scan decide_full_stop(std::string_view text, size_t pos, size_t end) {
  size_t word_start = pos;
  while (word_start > 0 && !is_space(text[word_start - 1])) --word_start;
  const std::string_view token = text.substr(word_start, pos - word_start);
  std::string word;
  for (char c : token) {
    if (word.empty() && !std::isalnum(static_cast<unsigned char>(c))) continue;  // "(Dr" -> "dr"
    word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (contains(kNeverFinal, word)) return {Verdict::kContinue, end};
  if (contains(kMaybeFinal, word)) return decide_by_next_word(text, pos, end);
  const bool initial = token.size() == 1 && std::isupper(static_cast<unsigned char>(token[0]));
  if (initial) return {Verdict::kContinue, end};  // "J. R. R. Tolkien"
  const bool number = !token.empty() && token.find_first_not_of("0123456789") == std::string::npos;
  const bool list_marker = number && trim(text.substr(0, pos)) == token;  // "1. Buy milk"
  if (list_marker) return {Verdict::kContinue, end};
  return {Verdict::kEnd, end};
}

// Whether a sentence ends at `pos` (the start of pending text's current sentence is offset 0).
Scan examine(std::string_view text, size_t pos) {
  if (text[pos] == '\n') return {Verdict::kEnd, pos + 1};
  size_t end = pos;
  int full_stops = 0;
  bool exclamation = false;
  bool ellipsis = false;
  bool full_width = false;
  // Terminators first, then closing quotes and brackets: 'He said "Stop!" Then' ends after the
  // quote. Only a complete run is judged, so the verdict never depends on how text was pushed.
  for (;;) {
    const size_t n =
        end == text.size() ? std::string_view::npos : token_at(text, end, kTerminators);
    if (n == std::string_view::npos) return {Verdict::kNeedMore, pos};
    if (n == 0) break;
    const std::string_view token = text.substr(end, n);
    full_stops += token == ".";
    exclamation |= token == "!" || token == "?";
    ellipsis |= token == "…";
    full_width |= contains(kFullWidthTerminators, token);
    end += n;
  }
  if (end == pos) return {Verdict::kContinue, pos + 1};
  for (;;) {
    const size_t n = end == text.size() ? std::string_view::npos : token_at(text, end, kClosers);
    if (n == std::string_view::npos) return {Verdict::kNeedMore, pos};
    if (n == 0) break;
    end += n;
  }
  if (full_width) return {Verdict::kEnd, end};  // CJK text puts no space after a sentence
  if (!is_space(text[end])) return {Verdict::kContinue, end};  // "3.5", "example.com"
  if (exclamation) return {Verdict::kEnd, end};
  if (ellipsis || full_stops > 1) return decide_by_next_word(text, pos, end);
  return decide_full_stop(text, pos, end);
}

// Where a sentence that has run to kLongestSentence bytes without ending is cut: after the last
// clause mark (, ; :) followed by a space past its first quarter, else at the last space, else at
// the last character boundary. Only the first kLongestSentence bytes are looked at, so the cut
// does not depend on how the text was pushed.
size_t long_sentence_cut(std::string_view text) {
  const std::string_view head = text.substr(0, SentenceSplitter::kLongestSentence);
  for (size_t i = head.size() - 1; i > head.size() / 4; --i)
    if ((head[i - 1] == ',' || head[i - 1] == ';' || head[i - 1] == ':') && is_space(head[i]))
      return i;
  if (size_t space = head.find_last_of(" \t\n"); space != std::string_view::npos && space > 0)
    return space;
  size_t cut = head.size();
  while (cut > 1 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return cut;
}

}  // namespace

std::vector<std::string> SentenceSplitter::push(std::string_view text) {
  pending_.append(text);
  std::vector<std::string> sentences;
  auto emit = [&](size_t end) {
    const std::string_view sentence = trim(std::string_view(pending_).substr(0, end));
    if (!sentence.empty()) sentences.emplace_back(sentence);
    pending_.erase(0, end);
  };
  size_t pos = scanned_;
  for (;;) {
    if (pos >= kLongestSentence) {  // scanned that far without finding an end
      emit(long_sentence_cut(pending_));
      pos = 0;
      continue;
    }
    if (pos >= pending_.size()) break;
    const Scan scan = examine(pending_, pos);
    if (scan.verdict == Verdict::kNeedMore) break;
    if (scan.verdict == Verdict::kContinue) {
      pos = scan.next;
      continue;
    }
    emit(scan.next);
    pos = 0;
  }
  scanned_ = pos;
  return sentences;
}

std::string SentenceSplitter::flush() {
  std::string rest(trim(pending_));
  pending_.clear();
  scanned_ = 0;
  return rest;
}

}  // namespace tektra
