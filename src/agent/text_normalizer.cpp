// Text normalisation shared by template compilation and input matching.
#include "agent/text_normalizer.h"

#include <array>
#include <utility>

namespace tektra {
namespace {

bool is_ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Whole-word contractions whose expansion is not a plain suffix rule.
constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kIrregular{{
    {"can't", "can not"},
    {"cannot", "can not"},
    {"won't", "will not"},
    {"shan't", "shall not"},
    {"ain't", "is not"},
    {"i'm", "i am"},
    {"let's", "let us"},
    {"gonna", "going to"},
    {"wanna", "want to"},
    {"gotta", "got to"},
    {"y'all", "you all"},
    {"ma'am", "madam"},
}};

// Words after which "'s" means "is" rather than a possessive.
constexpr std::array<std::string_view, 18> kIsContractions{
    "it",  "that", "what", "there", "here",       "who",     "where",     "how",     "when",
    "why", "he",   "she",  "this",  "everything", "nothing", "something", "someone", "everyone"};

// American spellings mapped to the British forms the shipped templates use; both are in CMUdict.
constexpr std::array<std::pair<std::string_view, std::string_view>, 32> kSpelling{{
    {"color", "colour"},
    {"colors", "colours"},
    {"favorite", "favourite"},
    {"favorites", "favourites"},
    {"gray", "grey"},
    {"center", "centre"},
    {"theater", "theatre"},
    {"honor", "honour"},
    {"neighbor", "neighbour"},
    {"neighbors", "neighbours"},
    {"flavor", "flavour"},
    {"flavors", "flavours"},
    {"humor", "humour"},
    {"behavior", "behaviour"},
    {"labor", "labour"},
    {"liter", "litre"},
    {"liters", "litres"},
    {"canceled", "cancelled"},
    {"canceling", "cancelling"},
    {"traveled", "travelled"},
    {"organize", "organise"},
    {"realize", "realise"},
    {"apologize", "apologise"},
    {"recognize", "recognise"},
    {"catalog", "catalogue"},
    {"dialog", "dialogue"},
    {"jewelry", "jewellery"},
    {"mom", "mum"},
    {"moms", "mums"},
    {"pajamas", "pyjamas"},
    {"aluminum", "aluminium"},
    {"judgment", "judgement"},
}};

void append_words(std::vector<std::string>& out, std::string_view phrase) {
  size_t start = 0;
  while (start < phrase.size()) {
    size_t end = phrase.find(' ', start);
    if (end == std::string_view::npos) end = phrase.size();
    if (end > start) out.emplace_back(phrase.substr(start, end - start));
    start = end + 1;
  }
}

std::string canonical_spelling(std::string word) {
  for (const auto& [american, british] : kSpelling) {
    if (word == american) return std::string(british);
  }
  return word;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Suffix contractions: "'re" -> are, "n't" -> not, and so on.
bool expand_suffix(const std::string& word, std::vector<std::string>& out) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kSuffixes{
      {{"n't", "not"}, {"'re", "are"}, {"'ve", "have"}, {"'ll", "will"}, {"'d", "would"}}};
  for (const auto& [suffix, expansion] : kSuffixes) {
    if (ends_with(word, suffix)) {
      out.push_back(canonical_spelling(word.substr(0, word.size() - suffix.size())));
      out.emplace_back(expansion);
      return true;
    }
  }
  if (ends_with(word, "'s")) {
    std::string stem = word.substr(0, word.size() - 2);
    out.push_back(canonical_spelling(stem));
    for (std::string_view w : kIsContractions) {
      if (stem == w) {
        out.emplace_back("is");
        break;
      }
    }
    return true;
  }
  return false;
}

bool is_number_start(std::string_view text, size_t i) {
  return i < text.size() && is_digit(text[i]);
}

// Reads digits with thousands separators ("1,000") and one decimal point ("2.5") from text[i].
std::string read_number(std::string_view text, size_t& i) {
  std::string number;
  bool seen_point = false;
  while (i < text.size()) {
    char c = text[i];
    if (is_digit(c)) {
      number += c;
      ++i;
    } else if (c == ',' && !seen_point && i + 3 < text.size() && is_digit(text[i + 1]) &&
               is_digit(text[i + 2]) && is_digit(text[i + 3]) &&
               (i + 4 >= text.size() || !is_digit(text[i + 4]))) {
      ++i;  // thousands separator
    } else if (c == '.' && !seen_point && i + 1 < text.size() && is_digit(text[i + 1])) {
      seen_point = true;
      number += c;
      ++i;
    } else {
      break;
    }
  }
  return number;
}

// Multi-byte characters that carry meaning; everything else non-ASCII is part of a word.
struct Utf8Symbol {
  std::string_view bytes;
  std::string_view meaning;  // "'" apostrophe, " " separator, "-" minus, or a word
};
constexpr std::array<Utf8Symbol, 10> kUtf8Symbols{{
    {"\xE2\x80\x99", "'"},  // right single quote, the usual typed apostrophe
    {"\xE2\x80\x98", " "},  // left single quote
    {"\xE2\x80\x9C", " "},  // left double quote
    {"\xE2\x80\x9D", " "},  // right double quote
    {"\xE2\x80\x93", " "},  // en dash
    {"\xE2\x80\x94", " "},  // em dash
    {"\xE2\x80\xA6", " "},  // ellipsis
    {"\xE2\x88\x92", "-"},  // minus sign
    {"\xC3\x97", "times"},  // multiplication sign
    {"\xC3\xB7", "divided by"},
}};

const Utf8Symbol* utf8_symbol_at(std::string_view text, size_t i) {
  for (const auto& symbol : kUtf8Symbols) {
    if (text.substr(i, symbol.bytes.size()) == symbol.bytes) return &symbol;
  }
  return nullptr;
}

bool is_word_byte(std::string_view text, size_t i) {
  char c = text[i];
  if (is_ascii_letter(c) || is_digit(c)) return true;
  return (static_cast<unsigned char>(c) >= 0x80) && utf8_symbol_at(text, i) == nullptr;
}

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text) : text_(text) {}

  std::vector<Token> run() {
    size_t i = 0;
    while (i < text_.size()) {
      if (const Utf8Symbol* symbol = utf8_symbol_at(text_, i)) {
        i += symbol->bytes.size();
        if (symbol->meaning == "-") {
          minus_at(i);
        } else if (symbol->meaning != " " && symbol->meaning != "'") {
          add_words(symbol->meaning);
        }
        continue;
      }
      char c = text_[i];
      if (is_digit(c)) {
        add_number(read_number(text_, i), i);
      } else if (is_word_byte(text_, i)) {
        add_word(read_word(i));
      } else if (c == '-') {
        ++i;
        minus_at(i);
      } else if (c == '+') {
        ++i;
        add_words("plus");
      } else if (c == '*') {
        ++i;
        add_words("times");
      } else if (c == '/' && previous_is_number()) {
        ++i;
        add_words("divided by");
      } else if (c == '&') {
        ++i;
        add_words("and");
      } else {
        ++i;  // punctuation and spaces separate words
      }
    }
    spell_x_between_numbers();
    return std::move(tokens_);
  }

 private:
  // A word runs over letters, digits, non-ASCII letters and apostrophes between letters.
  std::string read_word(size_t& i) {
    size_t start = i;
    while (i < text_.size()) {
      if (is_word_byte(text_, i)) {
        ++i;
      } else if (text_[i] == '\'' && i + 1 < text_.size() && is_ascii_letter(text_[i + 1])) {
        ++i;
      } else if (text_.substr(i, 3) == "\xE2\x80\x99" && i + 3 < text_.size() &&
                 is_ascii_letter(text_[i + 3])) {
        i += 3;
      } else {
        break;
      }
    }
    // Typographic apostrophes become plain ones.
    std::string word;
    for (size_t p = start; p < i; ++p) {
      if (text_.substr(p, 3) == "\xE2\x80\x99") {
        word += '\'';
        p += 2;
      } else {
        word += text_[p];
      }
    }
    return word;
  }

  // A number immediately followed by letters ("3rd", "5pm") stays one ordinary word.
  void add_number(std::string number, size_t& i) {
    if (i < text_.size() && is_word_byte(text_, i)) {
      add_word(number + read_word(i));
      return;
    }
    if (negative_pending_) number.insert(number.begin(), '-');
    negative_pending_ = false;
    tokens_.push_back({number, number});
  }

  void add_word(const std::string& raw) {
    negative_pending_ = false;
    std::string lower = ascii_lower(raw);
    std::vector<std::string> words = normalize_word(lower);
    // One word out means it was only re-spelled or lost an apostrophe: keep the writer's form
    // ("Favorite", "Wife's", "O'Brien"). Expanded contractions use the expansion.
    bool keep_surface = words.size() == 1;
    for (auto& w : words) {
      std::string surface = keep_surface ? raw : w;
      tokens_.push_back({std::move(w), std::move(surface)});
    }
  }

  void add_words(std::string_view phrase) {
    negative_pending_ = false;
    std::vector<std::string> words;
    append_words(words, phrase);
    for (auto& w : words) tokens_.push_back({w, w});
  }

  // "-" before a digit is a sign unless a number precedes it ("12-7" is a subtraction).
  void minus_at(size_t i) {
    if (previous_is_number() && next_non_space_is_digit(i)) {
      add_words("minus");
    } else if (is_number_start(text_, i)) {
      negative_pending_ = true;
    }
  }

  bool previous_is_number() const {
    return !tokens_.empty() && is_numeric_literal(tokens_.back().text);
  }

  // A digit, or a sign that starts the next number ("12 - -7").
  bool next_non_space_is_digit(size_t i) const {
    while (i < text_.size() && text_[i] == ' ') ++i;
    return is_number_start(text_, i) ||
           (i < text_.size() && text_[i] == '-' && is_number_start(text_, i + 1));
  }

  void spell_x_between_numbers() {
    for (size_t i = 1; i + 1 < tokens_.size(); ++i) {
      if (tokens_[i].text == "x" && is_numeric_literal(tokens_[i - 1].text) &&
          is_numeric_literal(tokens_[i + 1].text)) {
        tokens_[i] = {"times", "times"};
      }
    }
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  bool negative_pending_ = false;
};

}  // namespace

std::vector<std::string> normalize_word(std::string_view word) {
  std::string lower = ascii_lower(word);
  std::vector<std::string> out;
  for (const auto& [contraction, expansion] : kIrregular) {
    if (lower == contraction) {
      append_words(out, expansion);
      return out;
    }
  }
  if (lower.find('\'') != std::string::npos && expand_suffix(lower, out)) {
    for (auto& w : out) std::erase(w, '\'');
    std::erase_if(out, [](const std::string& w) { return w.empty(); });
    return out;
  }
  std::erase(lower, '\'');
  if (!lower.empty()) out.push_back(canonical_spelling(std::move(lower)));
  return out;
}

bool is_numeric_literal(std::string_view token) {
  size_t i = 0;
  if (i < token.size() && token[i] == '-') ++i;
  size_t digits = 0;
  bool point = false;
  for (; i < token.size(); ++i) {
    if (is_digit(token[i])) {
      ++digits;
    } else if (token[i] == '.' && !point && digits > 0 && i + 1 < token.size()) {
      point = true;
    } else {
      return false;
    }
  }
  return digits > 0;
}

std::vector<Token> normalize_text(std::string_view text) {
  return Tokenizer(text).run();
}

std::string normalized_phrase(std::string_view text) {
  std::string out;
  for (const Token& t : normalize_text(text)) {
    if (!out.empty()) out += ' ';
    out += t.text;
  }
  return out;
}

}  // namespace tektra
