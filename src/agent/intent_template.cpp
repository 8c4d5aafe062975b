// Parsing sentence-template files into a TemplateSet (compilation is in template_compiler.cpp).
#include "agent/intent_template.h"

#include <fmt/format.h>
#include <algorithm>
#include <fstream>
#include <sstream>

#include "agent/text_normalizer.h"
#include "core/error.h"

namespace tektra {
namespace {

constexpr int kMaxNesting = 32;

[[noreturn]] void fail(const SourceLocation& where, const std::string& problem) {
  throw Error("invalid_template", fmt::format("{}:{}: {}", where.file, where.line, problem));
}

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}
bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\'';
}

bool is_name(std::string_view s) {
  return !s.empty() && is_name_start(s[0]) && std::all_of(s.begin(), s.end(), is_name_char);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool is_builtin_slot_type(std::string_view type) {
  return type == "number" || type == "duration" || type == "text";
}

TemplateExpr word_expr(std::string word) {
  TemplateExpr e;
  e.kind = TemplateExpr::Kind::word;
  e.text = std::move(word);
  return e;
}

// Recursive-descent parser for one sentence or rule body.
class ExprParser {
 public:
  ExprParser(std::string_view text, const SourceLocation& where) : text_(text), where_(where) {}

  TemplateExpr parse() {
    TemplateExpr e = alternatives('\0', 0);
    if (pos_ < text_.size()) unexpected();  // a stray closing bracket ended the top level
    return e;
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  [[noreturn]] void unexpected() {
    fail(where_, fmt::format("unexpected '{}' at column {} in \"{}\"", peek(), pos_ + 1, text_));
  }

  TemplateExpr alternatives(char close, int depth) {
    if (depth > kMaxNesting)
      fail(where_, fmt::format("brackets nested too deeply in \"{}\"", text_));
    TemplateExpr alts;
    alts.kind = TemplateExpr::Kind::alternatives;
    while (true) {
      size_t start = pos_;
      TemplateExpr seq = sequence(close, depth);
      if (seq.children.empty()) {
        fail(where_, fmt::format("empty alternative at column {} in \"{}\"", start + 1, text_));
      }
      alts.children.push_back(seq.children.size() == 1 ? std::move(seq.children[0])
                                                       : std::move(seq));
      if (peek() != '|') break;
      ++pos_;
    }
    if (alts.children.size() == 1) return std::move(alts.children[0]);
    return alts;
  }

  TemplateExpr sequence(char close, int depth) {
    TemplateExpr seq;
    seq.kind = TemplateExpr::Kind::sequence;
    while (true) {
      while (peek() == ' ' || peek() == '\t') ++pos_;
      char c = peek();
      if (c == '\0' || c == '|' || (close != '\0' && c == close)) break;
      if (c == '(' || c == '[') {
        seq.children.push_back(group(c, depth));
      } else if (c == '{') {
        seq.children.push_back(slot());
      } else if (c == '<') {
        seq.children.push_back(rule());
      } else if (is_word_char(c)) {
        words(seq.children);
      } else if (c >= '0' && c <= '9') {
        fail(where_,
             fmt::format("digits are not allowed in templates, write \"{}\" as words (or "
                         "use a {{name:number}} slot) in \"{}\"",
                         read_while([](char ch) { return ch >= '0' && ch <= '9'; }), text_));
      } else if (c == ')' || c == ']' || c == '}' || c == '>') {
        if (close == '\0') unexpected();
        fail(where_, fmt::format("'{}' at column {} does not match the open '{}' in \"{}\"", c,
                                 pos_ + 1, close == ')' ? '(' : '[', text_));
      } else {
        unexpected();
      }
    }
    return seq;
  }

  TemplateExpr group(char open, int depth) {
    size_t at = pos_++;
    char close = open == '(' ? ')' : ']';
    TemplateExpr inner = alternatives(close, depth + 1);
    if (peek() != close) {
      fail(where_, fmt::format("unclosed '{}' at column {} in \"{}\"", open, at + 1, text_));
    }
    ++pos_;
    if (open == '(') return inner;
    TemplateExpr opt;
    opt.kind = TemplateExpr::Kind::optional;
    opt.children.push_back(std::move(inner));
    return opt;
  }

  std::string_view until(char close, char open) {
    size_t at = pos_++;
    size_t end = text_.find(close, pos_);
    if (end == std::string_view::npos) {
      fail(where_, fmt::format("unclosed '{}' at column {} in \"{}\"", open, at + 1, text_));
    }
    std::string_view inside = trim(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return inside;
  }

  TemplateExpr slot() {
    std::string_view inside = until('}', '{');
    size_t colon = inside.find(':');
    std::string_view name = trim(inside.substr(0, colon));
    std::string_view type = colon == std::string_view::npos ? "" : trim(inside.substr(colon + 1));
    if (!is_name(name)) {
      fail(where_,
           fmt::format("invalid slot name \"{}\" in \"{}\" (letters, digits and _)", name, text_));
    }
    if (colon != std::string_view::npos && !is_name(type)) {
      fail(where_, fmt::format("invalid slot type \"{}\" in \"{}\"", type, text_));
    }
    TemplateExpr e;
    e.kind = TemplateExpr::Kind::slot;
    e.text = name;
    e.slot_type = type;
    return e;
  }

  TemplateExpr rule() {
    std::string_view name = until('>', '<');
    if (!is_name(name))
      fail(where_, fmt::format("invalid rule name \"<{}>\" in \"{}\"", name, text_));
    TemplateExpr e;
    e.kind = TemplateExpr::Kind::rule;
    e.text = name;
    return e;
  }

  // Letters and apostrophes; hyphens split words ("bye-bye"); contractions expand ("what's").
  void words(std::vector<TemplateExpr>& out) {
    std::string_view raw = read_while([](char ch) { return is_word_char(ch) || ch == '-'; });
    size_t start = 0;
    while (start <= raw.size()) {
      size_t end = raw.find('-', start);
      if (end == std::string_view::npos) end = raw.size();
      for (auto& w : normalize_word(raw.substr(start, end - start))) out.push_back(word_expr(w));
      start = end + 1;
    }
  }

  template <typename Pred>
  std::string_view read_while(Pred pred) {
    size_t start = pos_;
    while (pos_ < text_.size() && pred(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  std::string_view text_;
  const SourceLocation& where_;
  size_t pos_ = 0;
};

}  // namespace

// Reads one file line by line into a TemplateSet; a friend so it can append directly.
class TemplateFileParser {
 public:
  TemplateFileParser(TemplateSet& set, std::string_view file) : set_(set), file_(file) {}

  void parse(std::string_view text) {
    int line_no = 0;
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      ++line_no;
      line(text.substr(start, end - start), line_no);
      start = end + 1;
    }
    finish_section();
  }

 private:
  enum class Section { none, intent, list };

  void line(std::string_view raw, int line_no) {
    SourceLocation where{file_, line_no};
    std::string_view text = trim(raw.substr(0, raw.find('#')));
    if (text.empty()) return;
    if (header(text, where)) return;
    if (rule_definition(text, where)) return;
    if (section_ == Section::none) {
      fail(where, fmt::format("\"{}\" is outside a section; start one with [IntentName] or [$list]",
                              text));
    }
    if (section_ == Section::list) {
      list_value(text, where);
    } else {
      set_.intents_[intent_index_].sentences.push_back(
          {std::string(text), ExprParser(text, where).parse(), where});
    }
  }

  // "[Name]" starts an intent, "[$name]" a slot list. Other lines starting with '[' are sentences.
  bool header(std::string_view text, const SourceLocation& where) {
    if (text.size() < 3 || text.front() != '[' || text.back() != ']') return false;
    std::string_view name = trim(text.substr(1, text.size() - 2));
    bool list = !name.empty() && name[0] == '$';
    if (list) name.remove_prefix(1);
    if (!is_name(name)) return false;
    finish_section();
    if (list) {
      if (is_builtin_slot_type(name))
        fail(where, fmt::format("\"{}\" is a built-in slot type, not a list name", name));
      if (auto it = set_.lists_.find(std::string(name)); it != set_.lists_.end()) {
        duplicate("slot list", name, it->second.where, where);
      }
      list_name_ = name;
      set_.lists_[list_name_] = SlotList{list_name_, {}, where};
      section_ = Section::list;
    } else {
      for (const auto& intent : set_.intents_) {
        if (intent.name == name) duplicate("intent", name, intent.where, where);
      }
      set_.intents_.push_back({std::string(name), {}, where});
      intent_index_ = set_.intents_.size() - 1;
      section_ = Section::intent;
    }
    return true;
  }

  // "<name> = expression" defines a rule usable in every file.
  bool rule_definition(std::string_view text, const SourceLocation& where) {
    if (text.front() != '<') return false;
    size_t close = text.find('>');
    if (close == std::string_view::npos) return false;
    std::string_view rest = trim(text.substr(close + 1));
    if (rest.empty() || rest.front() != '=') return false;
    std::string name(trim(text.substr(1, close - 1)));
    if (!is_name(name)) fail(where, fmt::format("invalid rule name \"<{}>\"", name));
    if (name == "duration") fail(where, "<duration> is built in and cannot be redefined");
    if (auto it = set_.rules_.find(name); it != set_.rules_.end()) {
      duplicate("rule", "<" + name + ">", it->second.where, where);
    }
    std::string_view body = trim(rest.substr(1));
    if (body.empty()) fail(where, fmt::format("rule <{}> has an empty definition", name));
    set_.rules_[name] = TemplateRule{name, ExprParser(body, where).parse(), where};
    return true;
  }

  // "spoken words" or "spoken words = returned value".
  void list_value(std::string_view text, const SourceLocation& where) {
    size_t eq = text.find('=');
    std::string_view spoken = trim(text.substr(0, eq));
    std::string_view value = eq == std::string_view::npos ? "" : trim(text.substr(eq + 1));
    SlotListValue v;
    size_t start = 0;
    while (start < spoken.size()) {
      size_t end = spoken.find_first_of(" \t-", start);
      if (end == std::string_view::npos) end = spoken.size();
      std::string_view word = spoken.substr(start, end - start);
      if (!std::all_of(word.begin(), word.end(), is_word_char)) {
        fail(where, fmt::format("list value \"{}\" may only contain words (letters, apostrophes, "
                                "hyphens), then optionally \"= value\"",
                                text));
      }
      for (auto& w : normalize_word(word)) v.words.push_back(w);
      start = end + 1;
    }
    if (v.words.empty())
      fail(where, fmt::format("list value \"{}\" has no words before '='", text));
    if (eq != std::string_view::npos && value.empty()) {
      fail(where, fmt::format("list value \"{}\" has nothing after '='", text));
    }
    if (value.empty()) {
      for (const auto& w : v.words) v.value += (v.value.empty() ? "" : " ") + w;
    } else {
      v.value = value;
    }
    set_.lists_[list_name_].values.push_back(std::move(v));
  }

  void finish_section() {
    if (section_ == Section::intent && set_.intents_[intent_index_].sentences.empty()) {
      fail(set_.intents_[intent_index_].where,
           fmt::format("intent [{}] has no sentences", set_.intents_[intent_index_].name));
    }
    if (section_ == Section::list && set_.lists_[list_name_].values.empty()) {
      fail(set_.lists_[list_name_].where, fmt::format("slot list [${}] has no values", list_name_));
    }
    section_ = Section::none;
  }

  [[noreturn]] void duplicate(const char* what, std::string_view name, const SourceLocation& first,
                              const SourceLocation& where) {
    fail(where,
         fmt::format("{} {} is already defined at {}:{}", what, name, first.file, first.line));
  }

  TemplateSet& set_;
  std::string file_;
  Section section_ = Section::none;
  size_t intent_index_ = 0;
  std::string list_name_;
};

void TemplateSet::add_file(std::string_view file, std::string_view text) {
  // Parse into a copy so a file with an error leaves the set unchanged.
  TemplateSet updated = *this;
  TemplateFileParser(updated, file).parse(text);
  *this = std::move(updated);
}

void TemplateSet::override_with(TemplateSet user) {
  std::vector<IntentTemplate> added;
  for (auto& intent : user.intents_) {
    auto same = std::find_if(intents_.begin(), intents_.end(),
                             [&](const IntentTemplate& mine) { return mine.name == intent.name; });
    if (same != intents_.end()) {
      *same = std::move(intent);
    } else {
      added.push_back(std::move(intent));
    }
  }
  intents_.insert(intents_.begin(), std::make_move_iterator(added.begin()),
                  std::make_move_iterator(added.end()));
  for (auto& [name, rule] : user.rules_) rules_[name] = std::move(rule);
  for (auto& [name, list] : user.lists_) lists_[name] = std::move(list);
}

std::string TemplateSet::resolve_slot_type(const TemplateExpr& slot) const {
  if (slot.slot_type.empty()) return lists_.count(slot.text) ? "list" : "text";
  if (is_builtin_slot_type(slot.slot_type)) return slot.slot_type;
  return "list";
}

TemplateSet shipped_templates() {
  TemplateSet set;
  for (const EmbeddedFile& file : shipped_intent_files()) {
    if (file.path.ends_with(".ini")) set.add_file(file.path, file.content);
  }
  return set;
}

TemplateSet load_template_directory(const std::filesystem::path& dir) {
  TemplateSet set;
  std::error_code ec;
  if (dir.empty() || !std::filesystem::exists(dir, ec)) return set;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw Error("invalid_template", fmt::format("{} is not a directory", dir.string()));
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".ini") files.push_back(entry.path());
  }
  if (ec)
    throw Error("invalid_template", fmt::format("cannot list {}: {}", dir.string(), ec.message()));
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) throw Error("invalid_template", fmt::format("cannot read {}", path.string()));
    set.add_file(path.string(), text.str());
  }
  return set;
}

}  // namespace tektra
