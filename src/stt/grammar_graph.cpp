// A grammar's word graph and the state merging that shrinks pocketsphinx's search for it.
#include "stt/grammar_graph.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

namespace tektra {

std::size_t WordGraph::word_arcs() const {
  return static_cast<std::size_t>(
      std::count_if(arcs.begin(), arcs.end(), [](const WordArc& arc) { return arc.word >= 0; }));
}

std::vector<int> context_classes(const WordGraph& graph, std::span<const WordPhones> phones) {
  const auto states = static_cast<size_t>(graph.states);
  std::vector<std::set<std::string>> left(states), right(states);
  for (const WordArc& arc : graph.arcs) {
    if (arc.word < 0) continue;
    const WordPhones& word = phones[static_cast<size_t>(arc.word)];
    right[static_cast<size_t>(arc.from)].insert(word.first.begin(), word.first.end());
    left[static_cast<size_t>(arc.to)].insert(word.last.begin(), word.last.end());
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (const WordArc& arc : graph.arcs) {
      if (arc.word >= 0) continue;
      auto& to_left = left[static_cast<size_t>(arc.to)];
      auto& from_right = right[static_cast<size_t>(arc.from)];
      for (const auto& phone : left[static_cast<size_t>(arc.from)]) {
        changed |= to_left.insert(phone).second;
      }
      for (const auto& phone : right[static_cast<size_t>(arc.to)]) {
        changed |= from_right.insert(phone).second;
      }
    }
  }
  std::map<std::tuple<bool, std::set<std::string>, std::set<std::string>>, int> ids;
  std::vector<int> classes(states);
  for (size_t s = 0; s < states; ++s) {
    const auto key = std::make_tuple(static_cast<int>(s) == graph.final, left[s], right[s]);
    classes[s] = ids.emplace(key, static_cast<int>(ids.size())).first->second;
  }
  return classes;
}

WordGraph merge_equivalent_states(const WordGraph& graph, std::span<const int> classes) {
  const auto states = static_cast<size_t>(graph.states);
  std::vector<std::vector<const WordArc*>> leaving(states);
  for (const WordArc& arc : graph.arcs) leaving[static_cast<size_t>(arc.from)].push_back(&arc);

  // Partition refinement: split classes by their states' transitions into current classes
  // until the number of classes stops growing (splits only ever add classes).
  std::vector<int> merged(classes.begin(), classes.end());
  size_t count = 0;
  for (;;) {
    using Transition = std::tuple<int, int, int>;  // word, weight, target class
    std::map<std::pair<int, std::vector<Transition>>, int> signatures;
    std::vector<int> refined(states);
    for (size_t s = 0; s < states; ++s) {
      std::vector<Transition> transitions;
      for (const WordArc* arc : leaving[s]) {
        transitions.emplace_back(arc->word, arc->log_weight, merged[static_cast<size_t>(arc->to)]);
      }
      std::sort(transitions.begin(), transitions.end());
      transitions.erase(std::unique(transitions.begin(), transitions.end()), transitions.end());
      const auto key = std::make_pair(merged[s], std::move(transitions));
      refined[s] = signatures.emplace(key, static_cast<int>(signatures.size())).first->second;
    }
    merged = std::move(refined);
    if (signatures.size() == count) break;
    count = signatures.size();
  }

  WordGraph result;
  result.name = graph.name;
  result.words = graph.words;
  result.states = static_cast<int>(count);
  result.start = merged[static_cast<size_t>(graph.start)];
  result.final = merged[static_cast<size_t>(graph.final)];
  for (const WordArc& arc : graph.arcs) {
    WordArc mapped = arc;
    mapped.from = merged[static_cast<size_t>(arc.from)];
    mapped.to = merged[static_cast<size_t>(arc.to)];
    if (mapped.word < 0 && mapped.from == mapped.to) continue;
    result.arcs.push_back(mapped);
  }
  std::sort(result.arcs.begin(), result.arcs.end());
  result.arcs.erase(std::unique(result.arcs.begin(), result.arcs.end()), result.arcs.end());
  return result;
}

}  // namespace tektra
