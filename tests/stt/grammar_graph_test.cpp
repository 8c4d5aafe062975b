// Merging equivalent grammar states: same sentences, fewer states, contexts kept apart.
#include "stt/grammar_graph.h"

#include <gtest/gtest.h>

#include <functional>

namespace tektra {
namespace {

// Every sentence (with its total weight) an acyclic graph accepts.
std::set<std::pair<std::string, int>> sentences(const WordGraph& graph) {
  std::set<std::pair<std::string, int>> found;
  std::function<void(int, const std::string&, int)> walk = [&](int state, const std::string& text,
                                                               int weight) {
    if (state == graph.final) found.insert({text, weight});
    for (const WordArc& arc : graph.arcs) {
      if (arc.from != state) continue;
      const std::string next =
          arc.word < 0 ? text : text + (text.empty() ? "" : " ") + graph.words[arc.word];
      walk(arc.to, next, weight + arc.log_weight);
    }
  };
  walk(graph.start, "", 0);
  return found;
}

// "(go | run) fast [now]" with the optional part written out twice, as a rule used twice expands:
//   0 -go-> 1 -fast-> 3 -now-> 5      3 -null-> 5
//   0 -run-> 2 -fast-> 4 -now-> 5     4 -null-> 5
WordGraph go_or_run_fast() {
  WordGraph graph;
  graph.states = 6;
  graph.start = 0;
  graph.final = 5;
  graph.words = {"go", "run", "fast", "now"};
  graph.arcs = {{0, 1, 0, 0}, {0, 2, 1, 0}, {1, 3, 2, 0},  {2, 4, 2, 0},
                {3, 5, 3, 0}, {4, 5, 3, 0}, {3, 5, -1, 0}, {4, 5, -1, 0}};
  return graph;
}

std::vector<WordPhones> phones(std::vector<std::pair<std::string, std::string>> first_last) {
  std::vector<WordPhones> result;
  for (const auto& [first, last] : first_last) result.push_back({{first}, {last}});
  return result;
}

TEST(GrammarGraph, MergesCopiesWithTheSameContextsAndKeepsEverySentence) {
  const WordGraph graph = go_or_run_fast();
  // "go" and "run" end in the same phone here, so "fast" after either has the same context.
  const auto same_end = phones({{"G", "N"}, {"R", "N"}, {"F", "T"}, {"N", "W"}});
  const WordGraph merged = merge_equivalent_states(graph, context_classes(graph, same_end));
  EXPECT_EQ(merged.states, 4);  // 1+2 and 3+4 merge
  EXPECT_EQ(merged.word_arcs(), 4u);
  EXPECT_EQ(sentences(merged), sentences(graph));
  EXPECT_EQ(sentences(graph).size(), 4u);
  EXPECT_EQ(merged.words, graph.words);
}

// pocketsphinx models "fast"'s first phone after the state's left contexts, so the copies after
// "go" (ends in OW) and "run" (ends in N) must stay apart; what follows "fast" still merges.
TEST(GrammarGraph, KeepsStatesWithDifferentPhoneContextsApart) {
  const WordGraph graph = go_or_run_fast();
  const auto different_ends = phones({{"G", "OW"}, {"R", "N"}, {"F", "T"}, {"N", "W"}});
  const auto classes = context_classes(graph, different_ends);
  EXPECT_NE(classes[1], classes[2]);
  EXPECT_EQ(classes[3], classes[4]);
  const WordGraph merged = merge_equivalent_states(graph, classes);
  EXPECT_EQ(merged.states, 5);
  EXPECT_EQ(sentences(merged), sentences(graph));
}

// Left contexts reach past null transitions: a word ending at one state is the left context of
// words leaving the states that state has null transitions to.
TEST(GrammarGraph, ContextsFollowNullTransitions) {
  WordGraph graph;
  graph.states = 5;
  graph.final = 4;
  graph.words = {"go", "fast", "stop"};
  graph.arcs = {{0, 1, 0, 0}, {1, 2, -1, 0}, {0, 3, 2, 0}, {2, 4, 1, 0}, {3, 4, 1, 0}};
  const auto classes = context_classes(graph, phones({{"G", "OW"}, {"F", "T"}, {"S", "P"}}));
  EXPECT_NE(classes[2], classes[3]);  // OW arrives at 2 through the null transition, P at 3
  const auto same = context_classes(graph, phones({{"G", "P"}, {"F", "T"}, {"S", "P"}}));
  EXPECT_EQ(same[2], same[3]);
  EXPECT_EQ(merge_equivalent_states(graph, same).states, 4);
}

TEST(GrammarGraph, WeightsAreKeptAndTellTransitionsApart) {
  WordGraph graph = go_or_run_fast();
  graph.arcs[3].log_weight = -7;  // the "fast" after "run" is less likely
  const std::vector<int> one_class(static_cast<size_t>(graph.states), 0);
  std::vector<int> classes = one_class;
  classes[static_cast<size_t>(graph.final)] = 1;
  const WordGraph merged = merge_equivalent_states(graph, classes);
  EXPECT_EQ(merged.states, 5);  // 3+4 merge, 1 and 2 no longer
  EXPECT_EQ(sentences(merged), sentences(graph));
  EXPECT_TRUE(sentences(merged).count({"run fast", -7}));
}

TEST(GrammarGraph, DropsNullSelfLoopsOfMergedStates) {
  WordGraph graph;
  graph.states = 3;
  graph.final = 2;
  graph.words = {"stop"};
  graph.arcs = {{0, 1, -1, 0}, {0, 2, 0, 0}, {1, 2, 0, 0}};
  // 0 and 1 differ: 0 also has a null transition into 1.
  const WordGraph merged = merge_equivalent_states(graph, std::vector<int>{0, 0, 1});
  EXPECT_EQ(merged.states, 3);
  // Null transitions both ways make them equivalent; merged, those become self-loops.
  WordGraph same = graph;
  same.arcs = {{0, 1, -1, 0}, {1, 0, -1, 0}, {0, 2, 0, 0},
               {1, 2, 0, 0},  {0, 0, -1, 0}, {1, 1, -1, 0}};
  const WordGraph folded = merge_equivalent_states(same, std::vector<int>{0, 0, 1});
  EXPECT_EQ(folded.states, 2);
  EXPECT_EQ(folded.arcs, (std::vector<WordArc>{{folded.start, folded.final, 0, 0}}));
}

}  // namespace
}  // namespace tektra
