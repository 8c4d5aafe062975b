// The JSGF export: well-formed, finite, plain lower-case dictionary words only.
#include "agent/jsgf_grammar.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "agent/intent_engine.h"
#include "agent_test_support.h"
#include "core/config.h"

namespace tektra {
namespace {

// A grammar split into its rules: name -> body, with the header checked on the way.
struct ParsedGrammar {
  std::string header;
  std::map<std::string, std::string> rules;
  std::set<std::string> words;
  std::string public_rule;
};

ParsedGrammar parse_jsgf(const std::string& jsgf) {
  ParsedGrammar g;
  const std::string prefix = "#JSGF V1.0;\ngrammar tektra;\n";
  EXPECT_EQ(jsgf.substr(0, prefix.size()), prefix);
  // Every rule is "[public] <name> = body;" and bodies never contain ';'.
  std::string rest = jsgf.substr(prefix.size());
  size_t start = 0;
  for (size_t end; (end = rest.find(';', start)) != std::string::npos; start = end + 1) {
    std::string rule = rest.substr(start, end - start);
    size_t first = rule.find_first_not_of(" \n");
    rule = first == std::string::npos ? "" : rule.substr(first);
    bool is_public = rule.rfind("public ", 0) == 0;
    if (is_public) rule = rule.substr(7);
    size_t close = rule.find("> = ");
    if (rule.empty() || rule[0] != '<' || close == std::string::npos) {
      ADD_FAILURE() << "not a rule: " << rule.substr(0, 100);
      continue;
    }
    std::string name = rule.substr(1, close - 1);
    EXPECT_EQ(
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"),
        std::string::npos)
        << name;
    EXPECT_FALSE(g.rules.count(name)) << "rule defined twice: " << name;
    g.rules[name] = rule.substr(close + 4);
    if (is_public) {
      EXPECT_TRUE(g.public_rule.empty()) << "more than one public rule";
      g.public_rule = name;
    }
  }
  EXPECT_EQ(rest.find_first_not_of(" \n", start), std::string::npos) << "text after the last rule";
  return g;
}

// Checks a rule body's tokens and collects words and references.
void scan_body(const std::string& name, const std::string& body, ParsedGrammar& g,
               std::map<std::string, std::set<std::string>>& refs) {
  int parens = 0, brackets = 0;
  for (size_t i = 0; i < body.size();) {
    char c = body[i];
    if (c == ' ') {
      ++i;
    } else if (c == '<') {
      size_t end = body.find('>', i);
      ASSERT_NE(end, std::string::npos) << name;
      refs[name].insert(body.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c >= 'a' && c <= 'z') {
      size_t end = body.find_first_not_of("abcdefghijklmnopqrstuvwxyz", i);
      if (end == std::string::npos) end = body.size();
      g.words.insert(body.substr(i, end - i));
      i = end;
    } else if (c == '(' || c == ')' || c == '[' || c == ']' || c == '|') {
      parens += c == '(' ? 1 : c == ')' ? -1 : 0;
      brackets += c == '[' ? 1 : c == ']' ? -1 : 0;
      ASSERT_GE(parens, 0) << name;
      ASSERT_GE(brackets, 0) << name;
      ++i;
    } else {
      FAIL() << "rule <" << name << "> has '" << c
             << "' (only lower-case words, <refs>, ()[]|): " << body;
    }
  }
  EXPECT_EQ(parens, 0) << name;
  EXPECT_EQ(brackets, 0) << name;
}

// Every reference resolves and no rule reaches itself, so the language is finite.
void expect_finite(const ParsedGrammar& g,
                   const std::map<std::string, std::set<std::string>>& refs) {
  for (const auto& [from, targets] : refs) {
    for (const auto& to : targets)
      EXPECT_TRUE(g.rules.count(to)) << "<" << from << "> uses undefined <" << to << ">";
  }
  std::map<std::string, int> state;  // 1 visiting, 2 done
  std::function<void(const std::string&)> visit = [&](const std::string& rule) {
    state[rule] = 1;
    auto it = refs.find(rule);
    if (it != refs.end()) {
      for (const auto& to : it->second) {
        ASSERT_NE(state[to], 1) << "recursion through <" << to << ">";
        if (state[to] == 0) visit(to);
      }
    }
    state[rule] = 2;
  };
  visit(g.public_rule);
}

ParsedGrammar check(const std::string& jsgf) {
  ParsedGrammar g = parse_jsgf(jsgf);
  std::map<std::string, std::set<std::string>> refs;
  for (const auto& [name, body] : g.rules) scan_body(name, body, g, refs);
  EXPECT_EQ(g.public_rule, "command");
  expect_finite(g, refs);
  return g;
}

std::string grammar_for(const std::string& templates) {
  TemplateSet set;
  set.add_file("test.ini", templates);
  return jsgf_grammar(set);
}

TEST(JsgfGrammar, RendersIntentsAsAlternativesOfTheCommandRule) {
  std::string jsgf = grammar_for(
      "[GetTime]\nwhat time is it\n(what's | tell me) the time [please]\n[Hi]\nhello\n");
  auto g = check(jsgf);
  EXPECT_EQ(g.rules.at("intent_GetTime"),
            "what time is it | (what is | tell me) the time [please]");
  EXPECT_EQ(g.rules.at("intent_Hi"), "hello");
  EXPECT_NE(g.rules.at("command").find("(<intent_GetTime> | <intent_Hi>)"), std::string::npos)
      << jsgf;
}

TEST(JsgfGrammar, SlotsBecomeBoundedRules) {
  std::string jsgf = grammar_for(
      "[A]\nadd {a:number} to {b:number}\n[T]\nset a timer for <duration> [called {name:text}]\n"
      "[P]\npaint it {colour}\n[R]\nremember {thing:text}\n"
      "[$colour]\nred\nsky blue = "
      "blue\n[$name]\ntea\neggs\n[$common_words]\napple\npear\n[$unused]\nzebra\n");
  auto g = check(jsgf);
  EXPECT_EQ(g.rules.at("intent_A"), "add <number> to <number>");
  EXPECT_EQ(g.rules.at("intent_T"), "set a timer for <duration> [called <text_name>]");
  EXPECT_EQ(g.rules.at("list_colour"), "red | sky blue");
  EXPECT_EQ(g.rules.at("text_name"), "eggs | tea");
  EXPECT_EQ(g.rules.at("text"), "<common_word> [<common_word> [<common_word>]]");
  EXPECT_EQ(g.rules.at("common_word"), "apple | pear");
  EXPECT_FALSE(g.rules.count("list_unused"));
  EXPECT_EQ(g.words.count("zebra"), 0u);
  EXPECT_TRUE(g.words.count("hundred"));
  EXPECT_TRUE(g.words.count("thousand"));
  EXPECT_TRUE(g.words.count("minutes"));
}

TEST(JsgfGrammar, RulesAreEmittedOnceAndOnlyWhenUsed) {
  std::string jsgf = grammar_for(
      "<a> = alpha <b>\n<b> = (bravo | {c})\n<unused> = nothing\n[X]\n<a> and "
      "<a>\n[$c]\ncharlie\n");
  auto g = check(jsgf);
  EXPECT_EQ(g.rules.at("rule_a"), "alpha <rule_b>");
  EXPECT_EQ(g.rules.at("rule_b"), "bravo | <list_c>");
  EXPECT_EQ(g.rules.at("list_c"), "charlie");
  EXPECT_FALSE(g.rules.count("rule_unused"));
}

TEST(JsgfGrammar, FreeTextWithoutAnyWordListIsAnError) {
  std::string message = test::thrown_message([] { grammar_for("[R]\nremember {thing:text}\n"); });
  EXPECT_NE(message.find("{thing:text} needs a [$thing] or [$common_words] list"),
            std::string::npos)
      << message;
}

std::set<std::string> dictionary_words(const std::filesystem::path& dict) {
  std::set<std::string> words;
  std::ifstream in(dict);
  for (std::string line; std::getline(in, line);) {
    std::string word = line.substr(0, line.find(' '));
    words.insert(word.substr(0, word.find('(')));  // "read(2)" is a second pronunciation
  }
  return words;
}

TEST(JsgfGrammar, ShippedGrammarIsFiniteAndUsesOnlyDictionaryWords) {
  IntentEngine engine(shipped_templates());
  std::string jsgf = engine.jsgf_grammar();
  auto g = check(jsgf);
  EXPECT_GE(g.rules.size(), 20u);
  for (const auto& rule :
       {"intent_GetTime", "intent_SetTimer", "intent_Calculate", "number", "duration", "text"}) {
    EXPECT_TRUE(g.rules.count(rule)) << rule;
  }
  std::printf("[ MEASURE  ] shipped JSGF grammar: %zu rules, %zu distinct words, %zu bytes\n",
              g.rules.size(), g.words.size(), jsgf.size());

  std::filesystem::path dict = std::filesystem::path(SttConfig{}.model_dir) / "cmudict-en-us.dict";
  if (!std::filesystem::exists(dict)) GTEST_SKIP() << "no pronunciation dictionary at " << dict;
  std::set<std::string> known = dictionary_words(dict);
  for (const auto& w : g.words) EXPECT_TRUE(known.count(w)) << "\"" << w << "\" is not in " << dict;
}

}  // namespace
}  // namespace tektra
