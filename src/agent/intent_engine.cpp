// Intent matching: dynamic programming over each sentence graph and the input's words.
#include "agent/intent_engine.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "agent/duration_words.h"
#include "agent/jsgf_grammar.h"
#include "agent/number_words.h"
#include "agent/text_normalizer.h"

namespace tektra {
namespace {

constexpr float kTemplateWord = 1.0f;
constexpr float kTypedSlotWord = 0.9f;
constexpr float kFillerWord = 0.5f;
constexpr float kTextSlotWord = 0.4f;
constexpr float kNoMatch = -std::numeric_limits<float>::infinity();
constexpr size_t kMaxNumberWords = 12;    // "two thousand three hundred and forty five point five"
constexpr size_t kMaxDurationWords = 16;  // "two hours twenty five minutes and thirty seconds"
// Longer inputs never match: commands are short, and this bounds the memo table (nodes x words)
// and free-text slots (quadratic in words) whatever arrives.
constexpr size_t kMaxInputWords = 64;

// Words people put around commands that carry no meaning for matching.
const char* const kFillerWords[] = {"please", "kindly", "um", "uh", "er", "erm", "hmm", "oh"};
// Openings that are skippable only at the start of the input ("could you set a timer ...").
const char* const kLeadPhrases[] = {
    "hey",         "ok",       "okay",           "so",
    "well",        "now",      "can you",        "could you",
    "would you",   "will you", "i want to know", "i would like to know",
    "do you know", "tell me",  "i want you to",  "i would like you to"};

struct Cell {
  float score = 0;
  uint32_t stamp = 0;  // the sentence this cell was computed for; 0 = never
  int32_t arc = -1;    // -1 end of input at accept, -2 skipped a filler word, else arc index
  int16_t aux = 0;     // list value index
  uint16_t len = 0;    // words a slot consumed
};

struct TypedCandidate {
  uint8_t len;
  double value;
};

// One normalised input with everything the graphs ask for precomputed.
struct Input {
  std::vector<Token> tokens;
  std::vector<std::string> words;
  std::vector<int32_t> ids;
  std::vector<bool> filler;
  std::vector<std::vector<TypedCandidate>> numbers;    // per start position, longest first
  std::vector<std::vector<TypedCandidate>> durations;  // per start position, longest first
  size_t size() const { return words.size(); }
};

bool may_be_in_number(const std::string& w) {
  return is_numeric_literal(w) || is_number_word(w);
}

bool may_be_in_duration(const std::string& w) {
  return may_be_in_number(w) || is_duration_unit(w) || w == "half" || w == "quarter" ||
         w == "quarters" || w == "of" || w == "an";
}

template <typename Parse, typename May>
std::vector<std::vector<TypedCandidate>> typed_candidates(const std::vector<std::string>& words,
                                                          size_t max_len, Parse parse, May may) {
  std::vector<std::vector<TypedCandidate>> out(words.size());
  std::span<const std::string> all(words);
  for (size_t pos = 0; pos < words.size(); ++pos) {
    size_t len = 0;
    while (len < max_len && pos + len < words.size() && may(words[pos + len])) ++len;
    for (; len > 0; --len) {
      if (auto v = parse(all.subspan(pos, len)); v && std::isfinite(*v)) {
        out[pos].push_back({static_cast<uint8_t>(len), *v});
      }
    }
  }
  return out;
}

nlohmann::json number_json(double v) {
  if (std::abs(v) < 9.0e15 && v == std::floor(v)) return static_cast<int64_t>(v);
  return v;
}

// Best-path search over one sentence graph, memoised per (node, position).
class SentenceMatcher {
 public:
  SentenceMatcher(const CompiledTemplates& compiled, const Input& input, std::vector<Cell>& memo)
      : compiled_(compiled), input_(input), memo_(memo), width_(input.size() + 1) {}

  void use(const SentenceGraph* graph, uint32_t stamp) {
    graph_ = graph;
    stamp_ = stamp;
  }

  float best(int32_t node, size_t pos) {
    Cell& cell = memo_[node * width_ + pos];
    if (cell.stamp == stamp_) return cell.score;
    Cell result;
    result.score = kNoMatch;
    result.stamp = stamp_;
    auto consider = [&result](float score, int32_t arc, size_t len, int aux) {
      if (score > result.score) {
        result.score = score;
        result.arc = arc;
        result.len = static_cast<uint16_t>(len);
        result.aux = static_cast<int16_t>(aux);
      }
    };
    const size_t n = input_.size();
    if (node == graph_->accept && pos == n) consider(0, -1, 0, 0);
    if (pos < n && input_.filler[pos]) consider(kFillerWord + best(node, pos + 1), -2, 1, 0);
    for (uint32_t a = graph_->first_arc[node]; a < graph_->first_arc[node + 1]; ++a) {
      const GraphArc& arc = graph_->arcs[a];
      int32_t id = static_cast<int32_t>(a);
      switch (arc.kind) {
        case GraphArc::Kind::epsilon:
          consider(best(arc.target, pos), id, 0, 0);
          break;
        case GraphArc::Kind::word:
          if (pos < n && input_.ids[pos] == arc.label) {
            consider(kTemplateWord + best(arc.target, pos + 1), id, 1, 0);
          }
          break;
        case GraphArc::Kind::slot:
          slot(arc, id, pos, consider);
          break;
      }
    }
    memo_[node * width_ + pos] = result;
    return result.score;
  }

  // Follows the recorded choices from (node, pos), filling in slot values.
  void collect(int32_t node, size_t pos, nlohmann::json& slots) const {
    while (true) {
      const Cell& cell = memo_[node * width_ + pos];
      if (cell.arc == -1) return;
      if (cell.arc == -2) {
        ++pos;
        continue;
      }
      const GraphArc& arc = graph_->arcs[cell.arc];
      if (arc.kind == GraphArc::Kind::slot) {
        const CompiledSlot& slot = compiled_.slots[arc.label];
        slots[slot.name] = slot_value(slot, pos, cell);
      }
      pos += cell.len;
      node = arc.target;
    }
  }

 private:
  template <typename Consider>
  void slot(const GraphArc& arc, int32_t id, size_t pos, Consider& consider) {
    const CompiledSlot& slot = compiled_.slots[arc.label];
    const size_t n = input_.size();
    if (pos >= n) return;
    switch (slot.kind) {
      case SlotKind::number:
      case SlotKind::duration: {
        const auto& candidates =
            slot.kind == SlotKind::number ? input_.numbers[pos] : input_.durations[pos];
        for (const auto& c : candidates) {
          consider(kTypedSlotWord * c.len + best(arc.target, pos + c.len), id, c.len, 0);
        }
        break;
      }
      case SlotKind::text:
        for (size_t len = n - pos; len >= 1; --len) {
          consider(kTextSlotWord * len + best(arc.target, pos + len), id, len, 0);
        }
        break;
      case SlotKind::list: {
        const CompiledList& list = compiled_.lists[slot.list];
        for (size_t v = 0; v < list.words.size(); ++v) {
          const auto& words = list.words[v];
          if (words.size() > n - pos) continue;
          if (!std::equal(words.begin(), words.end(), input_.ids.begin() + pos)) continue;
          consider(kTypedSlotWord * words.size() + best(arc.target, pos + words.size()), id,
                   words.size(), static_cast<int>(v));
        }
        break;
      }
    }
  }

  nlohmann::json slot_value(const CompiledSlot& slot, size_t pos, const Cell& cell) const {
    switch (slot.kind) {
      case SlotKind::number:
      case SlotKind::duration: {
        const auto& candidates =
            slot.kind == SlotKind::number ? input_.numbers[pos] : input_.durations[pos];
        for (const auto& c : candidates) {
          if (c.len == cell.len) return number_json(c.value);
        }
        return nullptr;  // unreachable: the cell was built from these candidates
      }
      case SlotKind::list:
        return compiled_.lists[slot.list].values[cell.aux];
      case SlotKind::text:
        break;
    }
    std::string text;
    for (size_t i = pos; i < pos + cell.len; ++i) {
      if (!text.empty()) text += ' ';
      text += input_.tokens[i].surface;
    }
    return text;
  }

  const CompiledTemplates& compiled_;
  const Input& input_;
  std::vector<Cell>& memo_;
  size_t width_;
  const SentenceGraph* graph_ = nullptr;
  uint32_t stamp_ = 0;
};

std::vector<int32_t> phrase_ids(CompiledTemplates& compiled, const std::string& phrase) {
  std::vector<int32_t> ids;
  for (const Token& t : normalize_text(phrase)) ids.push_back(compiled.add_word(t.text));
  return ids;
}

}  // namespace

IntentEngine::IntentEngine(TemplateSet templates, const std::vector<std::string>& ignorable_words)
    : templates_(std::move(templates)), compiled_(compile_templates(templates_)) {
  std::vector<int32_t> filler_ids;
  for (const char* w : kFillerWords) filler_ids.push_back(compiled_.add_word(w));
  for (const auto& w : ignorable_words) {
    for (int32_t id : phrase_ids(compiled_, w)) filler_ids.push_back(id);
  }
  for (const char* phrase : kLeadPhrases) lead_phrases_.push_back(phrase_ids(compiled_, phrase));
  is_filler_.assign(compiled_.vocabulary.size(), false);
  for (int32_t id : filler_ids) is_filler_[id] = true;
  for (const auto& g : compiled_.sentences) max_nodes_ = std::max(max_nodes_, g.node_count());
}

bool IntentEngine::has_intent(std::string_view name) const {
  return std::find(compiled_.intents.begin(), compiled_.intents.end(), name) !=
         compiled_.intents.end();
}

std::optional<IntentMatch> IntentEngine::match(std::string_view text) const {
  Input input;
  input.tokens = normalize_text(text);
  if (input.tokens.empty() || input.tokens.size() > kMaxInputWords) return std::nullopt;
  for (const Token& t : input.tokens) {
    input.words.push_back(t.text);
    int32_t id = compiled_.word_id(t.text);
    input.ids.push_back(id);
    input.filler.push_back(id >= 0 && is_filler_[id]);
  }
  input.numbers = typed_candidates(input.words, kMaxNumberWords, parse_number, may_be_in_number);
  input.durations =
      typed_candidates(input.words, kMaxDurationWords, parse_duration, may_be_in_duration);

  // Where matching may begin after skipping opening phrases such as "hey" or "could you".
  const size_t n = input.size();
  std::vector<bool> can_start(n + 1, false);
  can_start[0] = true;
  for (size_t p = 0; p < n; ++p) {
    if (!can_start[p]) continue;
    for (const auto& phrase : lead_phrases_) {
      if (phrase.size() <= n - p &&
          std::equal(phrase.begin(), phrase.end(), input.ids.begin() + p)) {
        can_start[p + phrase.size()] = true;
      }
    }
  }

  std::vector<Cell> memo(static_cast<size_t>(max_nodes_) * (n + 1));
  SentenceMatcher matcher(compiled_, input, memo);
  float best_score = kNoMatch;
  const SentenceGraph* best_graph = nullptr;
  nlohmann::json best_slots;
  uint32_t stamp = 0;
  for (const SentenceGraph& graph : compiled_.sentences) {
    matcher.use(&graph, ++stamp);
    for (size_t p = 0; p < n; ++p) {
      if (!can_start[p]) continue;
      float score = kFillerWord * static_cast<float>(p) + matcher.best(graph.start, p);
      if (score > best_score) {
        best_score = score;
        best_graph = &graph;
        best_slots = nlohmann::json::object();
        matcher.collect(graph.start, p, best_slots);  // now: later sentences reuse the memo
      }
    }
  }
  if (!best_graph) return std::nullopt;
  IntentMatch match;
  match.intent = compiled_.intents[best_graph->intent];
  match.slots = std::move(best_slots);
  match.score = best_score / static_cast<float>(n);
  return match;
}

std::string IntentEngine::jsgf_grammar() const {
  return tektra::jsgf_grammar(templates_);
}

}  // namespace tektra
