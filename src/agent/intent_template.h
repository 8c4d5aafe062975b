// Sentence-template files: parsing them into intents, rules and slot lists, and compiling those
// into the word graphs the intent engine matches against. The syntax is documented in
// data/intents/README.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/embedded.h"

namespace tektra {

// The template files compiled into the binary (data/intents/*.ini), paths like "intents/time.ini".
std::span<const EmbeddedFile> shipped_intent_files();

struct SourceLocation {
  std::string file;
  int line = 0;
};

// One parsed template expression.
struct TemplateExpr {
  enum class Kind { word, sequence, alternatives, optional, slot, rule };
  Kind kind = Kind::sequence;
  std::string text;       // word: the normalised word; slot: slot name; rule: rule name
  std::string slot_type;  // slot: "number", "duration", "text", a list name, or "" (see README)
  std::vector<TemplateExpr> children;  // sequence, alternatives; optional has exactly one
};

struct TemplateSentence {
  std::string text;  // as written, for messages
  TemplateExpr expr;
  SourceLocation where;
};

struct IntentTemplate {
  std::string name;
  std::vector<TemplateSentence> sentences;
  SourceLocation where;
};

struct TemplateRule {
  std::string name;
  TemplateExpr expr;
  SourceLocation where;
};

struct SlotListValue {
  std::vector<std::string> words;  // normalised spoken words
  std::string value;               // what the slot returns
};

struct SlotList {
  std::string name;
  std::vector<SlotListValue> values;
  SourceLocation where;
};

// Every intent, rule and slot list from one or more files. Throws Error("invalid_template") with
// "file:line: problem" for any syntax error or duplicate definition.
class TemplateSet {
 public:
  void add_file(std::string_view file, std::string_view text);

  // Definitions in `user` replace same-named ones here; new intents go first so that on a tie
  // between equally good matches the user's intent wins.
  void override_with(TemplateSet user);

  const std::vector<IntentTemplate>& intents() const { return intents_; }
  const std::map<std::string, TemplateRule>& rules() const { return rules_; }
  const std::map<std::string, SlotList>& lists() const { return lists_; }

  // The slot kind a `{name:type}` resolves to: "number", "duration", "text" or "list".
  std::string resolve_slot_type(const TemplateExpr& slot) const;

 private:
  friend class TemplateFileParser;
  std::vector<IntentTemplate> intents_;
  std::map<std::string, TemplateRule> rules_;
  std::map<std::string, SlotList> lists_;
};

// Parses every shipped file.
TemplateSet shipped_templates();

// Parses every *.ini file in `dir` in name order; a missing directory gives an empty set.
TemplateSet load_template_directory(const std::filesystem::path& dir);

// --- The compiled form the engine matches (an acyclic word graph per sentence). ---

enum class SlotKind : uint8_t { number, duration, text, list };

struct CompiledSlot {
  std::string name;
  SlotKind kind = SlotKind::text;
  int32_t list = -1;  // index into CompiledTemplates::lists for SlotKind::list
};

struct GraphArc {
  enum class Kind : uint8_t { epsilon, word, slot };
  Kind kind = Kind::epsilon;
  int32_t target = 0;
  int32_t label = 0;  // word: vocabulary id; slot: index into CompiledTemplates::slots
};

struct SentenceGraph {
  int32_t intent = 0;               // index into CompiledTemplates::intents
  std::vector<uint32_t> first_arc;  // node n's arcs are arcs[first_arc[n] .. first_arc[n + 1])
  std::vector<GraphArc> arcs;
  int32_t start = 0;
  int32_t accept = 1;
  SourceLocation where;

  int32_t node_count() const { return static_cast<int32_t>(first_arc.size()) - 1; }
};

struct CompiledList {
  std::vector<std::vector<int32_t>> words;  // vocabulary ids per value
  std::vector<std::string> values;
};

struct CompiledTemplates {
  std::vector<std::string> intents;
  std::vector<SentenceGraph> sentences;
  std::vector<CompiledSlot> slots;
  std::vector<CompiledList> lists;
  std::unordered_map<std::string, int32_t> vocabulary;

  int32_t word_id(const std::string& word) const;  // -1 when no template uses the word
  int32_t add_word(const std::string& word);       // the id, adding it when new
};

// Resolves rules and slot types and builds the graphs. Throws Error("invalid_template") naming
// the file and line for unknown rules, slot lists or slot types, rules that refer to themselves,
// and sentences that would match empty input.
CompiledTemplates compile_templates(const TemplateSet& set);

}  // namespace tektra
