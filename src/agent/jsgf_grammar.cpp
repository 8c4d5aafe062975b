// Renders a TemplateSet as JSGF, emitting only the rules and lists the intents reach.
#include "agent/jsgf_grammar.h"

#include <fmt/format.h>
#include <set>

#include "core/error.h"

namespace tektra {
namespace {

// Spoken numbers and durations; these mirror parse_number and parse_duration but stay bounded.
constexpr const char* kBuiltinRules =
    "<digit> = one | two | three | four | five | six | seven | eight | nine;\n"
    "<teen> = ten | eleven | twelve | thirteen | fourteen | fifteen | sixteen | seventeen | "
    "eighteen "
    "| nineteen;\n"
    "<tens> = twenty | thirty | forty | fifty | sixty | seventy | eighty | ninety;\n"
    "<below_hundred> = <digit> | <teen> | <tens> [<digit>];\n"
    "<below_thousand> = <below_hundred> | (<digit> | a) hundred [[and] <below_hundred>];\n"
    "<number> = zero | <below_thousand> [thousand [[and] <below_thousand>]] [point (zero | "
    "<digit>) [zero | <digit>]];\n"
    "<duration_unit> = second | seconds | minute | minutes | hour | hours;\n"
    "<duration_part> = (<number> [and a half] | a | an) <duration_unit> [and a half];\n"
    "<duration> = <duration_part> [[and] <duration_part> [[and] <duration_part>]] | half (a | an) "
    "<duration_unit> | [a] quarter of an hour;\n";

class JsgfWriter {
 public:
  explicit JsgfWriter(const TemplateSet& set) : set_(set) {}

  std::string write() {
    std::string intents, body;
    for (const auto& intent : set_.intents()) {
      std::string alternatives;
      for (const auto& sentence : intent.sentences) {
        if (!alternatives.empty()) alternatives += " | ";
        alternatives += render(sentence.expr, true);
      }
      if (!intents.empty()) intents += " | ";
      intents += "<intent_" + intent.name + ">";
      body += fmt::format("<intent_{}> = {};\n", intent.name, alternatives);
    }
    // Rules can reference further rules and lists; render until nothing new is reached.
    std::set<std::string> rules_done;
    while (rules_done.size() < rules_.size()) {
      for (const std::string& name : std::set<std::string>(rules_)) {
        if (!rules_done.insert(name).second) continue;
        body += fmt::format("<rule_{}> = {};\n", name, render(set_.rules().at(name).expr, true));
      }
    }
    for (const std::string& name : lists_)
      body += fmt::format("<list_{}> = {};\n", name, list(name));
    for (const std::string& name : text_hints_) {
      body += fmt::format("<text_{}> = {};\n", name, list(name));
    }
    if (common_text_) {
      if (!set_.lists().count("common_words")) {
        throw Error("invalid_template",
                    fmt::format("free-text slot {{{}:text}} needs a [${}] or [$common_words] list "
                                "to appear in the speech grammar",
                                common_text_slot_, common_text_slot_));
      }
      body += "<text> = <common_word> [<common_word> [<common_word>]];\n";
      body += fmt::format("<common_word> = {};\n", list("common_words"));
    }
    return "#JSGF V1.0;\ngrammar tektra;\n\n" +
           fmt::format("public <command> = [(can | could | would) you] ({}) [please];\n\n",
                       intents) +
           body + kBuiltinRules;
  }

 private:
  std::string render(const TemplateExpr& e, bool top) {
    using Kind = TemplateExpr::Kind;
    switch (e.kind) {
      case Kind::word:
        return e.text;
      case Kind::sequence: {
        std::string out;
        for (const auto& child : e.children) {
          if (!out.empty()) out += ' ';
          out += render(child, false);
        }
        return out;
      }
      case Kind::alternatives: {
        std::string out;
        for (const auto& child : e.children) {
          if (!out.empty()) out += " | ";
          out += render(child, true);
        }
        return top ? out : "(" + out + ")";
      }
      case Kind::optional:
        return fmt::format("[{}]", render(e.children.at(0), true));
      case Kind::slot:
        return slot(e);
      case Kind::rule:
        if (e.text == "duration") return "<duration>";
        rules_.insert(e.text);
        return "<rule_" + e.text + ">";
    }
    return "";
  }

  std::string slot(const TemplateExpr& e) {
    std::string kind = set_.resolve_slot_type(e);
    if (kind == "number" || kind == "duration") return "<" + kind + ">";
    if (kind == "list") {
      std::string name = e.slot_type.empty() ? e.text : e.slot_type;
      lists_.insert(name);
      return "<list_" + name + ">";
    }
    if (set_.lists().count(e.text)) {
      text_hints_.insert(e.text);
      return "<text_" + e.text + ">";
    }
    if (!common_text_) common_text_slot_ = e.text;
    common_text_ = true;
    return "<text>";
  }

  // Distinct spoken forms of a list's values as alternatives.
  std::string list(const std::string& name) {
    std::set<std::string> spoken;
    for (const auto& value : set_.lists().at(name).values) {
      std::string words;
      for (const auto& w : value.words) words += (words.empty() ? "" : " ") + w;
      spoken.insert(words);
    }
    std::string out;
    for (const auto& s : spoken) out += (out.empty() ? "" : " | ") + s;
    return out;
  }

  const TemplateSet& set_;
  std::set<std::string> rules_, lists_, text_hints_;
  bool common_text_ = false;
  std::string common_text_slot_;
};

}  // namespace

std::string jsgf_grammar(const TemplateSet& templates) {
  return JsgfWriter(templates).write();
}

}  // namespace tektra
