// Compiles a TemplateSet into one acyclic word graph per sentence, with rules inlined.
#include <fmt/format.h>
#include <algorithm>

#include "agent/intent_template.h"
#include "core/error.h"

namespace tektra {
namespace {

// Rules are inlined, so nesting them can multiply a sentence's size; real sentences have tens of
// arcs, and this keeps a runaway template from exhausting memory.
constexpr size_t kMaxArcsPerSentence = 10000;

[[noreturn]] void fail(const SourceLocation& where, const std::string& problem) {
  throw Error("invalid_template", fmt::format("{}:{}: {}", where.file, where.line, problem));
}

// Thompson-style construction: every expression is wired between an entry and an exit node.
// Templates have no repetition, so the graphs have no cycles.
class GraphBuilder {
 public:
  GraphBuilder(const TemplateSet& set, CompiledTemplates& out) : set_(set), out_(out) {}

  SentenceGraph build(const TemplateExpr& expr, const SourceLocation& where, int32_t intent) {
    edges_.clear();
    nodes_ = 2;
    sentence_ = &where;
    add(expr, 0, 1, where);
    SentenceGraph graph;
    graph.intent = intent;
    graph.where = where;
    std::stable_sort(edges_.begin(), edges_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    graph.first_arc.assign(nodes_ + 1, 0);
    for (const auto& [from, arc] : edges_) graph.first_arc[from + 1]++;
    for (int32_t n = 0; n < nodes_; ++n) graph.first_arc[n + 1] += graph.first_arc[n];
    for (auto& edge : edges_) graph.arcs.push_back(edge.second);
    return graph;
  }

 private:
  int32_t node() { return nodes_++; }

  void edge(int32_t from, GraphArc::Kind kind, int32_t label, int32_t to) {
    if (edges_.size() == kMaxArcsPerSentence) {
      fail(*sentence_,
           fmt::format("this expands to more than {} alternatives and words once its rules are "
                       "inlined; nest fewer rules",
                       kMaxArcsPerSentence));
    }
    edges_.push_back({from, GraphArc{kind, to, label}});
  }

  void add(const TemplateExpr& e, int32_t in, int32_t out, const SourceLocation& where) {
    using Kind = TemplateExpr::Kind;
    switch (e.kind) {
      case Kind::word:
        edge(in, GraphArc::Kind::word, out_.add_word(e.text), out);
        break;
      case Kind::sequence: {
        if (e.children.empty()) edge(in, GraphArc::Kind::epsilon, 0, out);
        int32_t from = in;
        for (size_t i = 0; i < e.children.size(); ++i) {
          int32_t to = i + 1 == e.children.size() ? out : node();
          add(e.children[i], from, to, where);
          from = to;
        }
        break;
      }
      case Kind::alternatives:
        for (const auto& child : e.children) add(child, in, out, where);
        break;
      case Kind::optional:
        add(e.children.at(0), in, out, where);
        edge(in, GraphArc::Kind::epsilon, 0, out);
        break;
      case Kind::slot:
        edge(in, GraphArc::Kind::slot, slot(e, where), out);
        break;
      case Kind::rule:
        rule(e.text, in, out, where);
        break;
    }
  }

  void rule(const std::string& name, int32_t in, int32_t out, const SourceLocation& where) {
    if (name == "duration") {
      TemplateExpr duration;
      duration.kind = TemplateExpr::Kind::slot;
      duration.text = "duration";
      duration.slot_type = "duration";
      edge(in, GraphArc::Kind::slot, slot(duration, where), out);
      return;
    }
    auto it = set_.rules().find(name);
    if (it == set_.rules().end()) fail(where, fmt::format("unknown rule <{}>", name));
    if (std::find(expanding_.begin(), expanding_.end(), name) != expanding_.end()) {
      fail(it->second.where, fmt::format("rule <{}> refers to itself", name));
    }
    expanding_.push_back(name);
    add(it->second.expr, in, out, it->second.where);
    expanding_.pop_back();
  }

  int32_t slot(const TemplateExpr& e, const SourceLocation& where) {
    CompiledSlot slot{e.text, SlotKind::text, -1};
    std::string kind = set_.resolve_slot_type(e);
    if (kind == "number") {
      slot.kind = SlotKind::number;
    } else if (kind == "duration") {
      slot.kind = SlotKind::duration;
    } else if (kind == "list") {
      slot.kind = SlotKind::list;
      std::string list = e.slot_type.empty() ? e.text : e.slot_type;
      if (!set_.lists().count(list)) {
        fail(where, fmt::format("unknown slot type \"{}\" in {{{}:{}}}: use number, duration, text "
                                "or define a [${}] list",
                                list, e.text, list, list));
      }
      slot.list = list_index(list);
    }
    out_.slots.push_back(std::move(slot));
    return static_cast<int32_t>(out_.slots.size() - 1);
  }

  int32_t list_index(const std::string& name) {
    if (auto it = lists_.find(name); it != lists_.end()) return it->second;
    CompiledList compiled;
    for (const auto& value : set_.lists().at(name).values) {
      std::vector<int32_t> ids;
      for (const auto& w : value.words) ids.push_back(out_.add_word(w));
      compiled.words.push_back(std::move(ids));
      compiled.values.push_back(value.value);
    }
    out_.lists.push_back(std::move(compiled));
    int32_t index = static_cast<int32_t>(out_.lists.size() - 1);
    lists_[name] = index;
    return index;
  }

  const TemplateSet& set_;
  CompiledTemplates& out_;
  std::vector<std::pair<int32_t, GraphArc>> edges_;
  int32_t nodes_ = 0;
  const SourceLocation* sentence_ = nullptr;  // the sentence or rule being built, for errors
  std::vector<std::string> expanding_;        // rules being inlined, to catch self-reference
  std::map<std::string, int32_t> lists_;
};

// True when the graph accepts without consuming a word (only epsilon arcs from start to accept).
bool matches_empty(const SentenceGraph& g) {
  std::vector<bool> seen(g.node_count(), false);
  std::vector<int32_t> stack{g.start};
  while (!stack.empty()) {
    int32_t n = stack.back();
    stack.pop_back();
    if (n == g.accept) return true;
    if (seen[n]) continue;
    seen[n] = true;
    for (uint32_t a = g.first_arc[n]; a < g.first_arc[n + 1]; ++a) {
      if (g.arcs[a].kind == GraphArc::Kind::epsilon) stack.push_back(g.arcs[a].target);
    }
  }
  return false;
}

}  // namespace

int32_t CompiledTemplates::word_id(const std::string& word) const {
  auto it = vocabulary.find(word);
  return it == vocabulary.end() ? -1 : it->second;
}

int32_t CompiledTemplates::add_word(const std::string& word) {
  auto [it, added] = vocabulary.emplace(word, static_cast<int32_t>(vocabulary.size()));
  return it->second;
}

CompiledTemplates compile_templates(const TemplateSet& set) {
  CompiledTemplates out;
  GraphBuilder builder(set, out);
  // Rules nobody uses yet are still checked, so a mistake surfaces when the file is loaded.
  for (const auto& [name, rule] : set.rules()) builder.build(rule.expr, rule.where, -1);
  out.slots.clear();
  for (const auto& intent : set.intents()) {
    out.intents.push_back(intent.name);
    for (const auto& sentence : intent.sentences) {
      SentenceGraph graph = builder.build(sentence.expr, sentence.where,
                                          static_cast<int32_t>(out.intents.size() - 1));
      if (matches_empty(graph)) {
        fail(sentence.where,
             fmt::format("\"{}\" can match empty input; make at least one word required",
                         sentence.text));
      }
      out.sentences.push_back(std::move(graph));
    }
  }
  return out;
}

}  // namespace tektra
