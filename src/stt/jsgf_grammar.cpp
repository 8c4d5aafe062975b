// Compiling a JSGF grammar once and installing it as the search of any number of decoders.
#include "stt/jsgf_grammar.h"

#include <pocketsphinx.h>
#include <sphinxbase/fsg_model.h>
#include <sphinxbase/jsgf.h>
#include <sphinxbase/logmath.h>

#include <memory>
#include <regex>
#include <set>
#include <utility>

#include "core/error.h"
#include "stt/sphinx_log.h"

namespace tektra {
namespace {

constexpr const char* kGrammarSearch = "grammar";

struct JsgfFree {
  void operator()(jsgf_t* grammar) const { jsgf_grammar_free(grammar); }
};
struct FsgFree {
  void operator()(fsg_model_t* fsg) const { fsg_model_free(fsg); }
};
struct LogmathFree {
  void operator()(logmath_t* logmath) const { logmath_free(logmath); }
};
struct ConfigFree {
  void operator()(cmd_ln_t* config) const { cmd_ln_free_r(config); }
};

// sphinxbase's reentrant JSGF scanner never initialises its line counter, so the line in its
// "syntax error at line N current token 'x'" is garbage; the token is reliable.
std::string syntax_error(const std::string& parser_message) {
  static const std::regex bogus_line(R"( at line -?\d+ current token)");
  return std::regex_replace(parser_message, bogus_line, " at token");
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

// Rules are named "<grammar.rule>"; imported grammars' public rules are not start symbols.
jsgf_rule_t* top_rule(jsgf_t* grammar) {
  const std::string own_prefix = std::string("<") + jsgf_grammar_name(grammar) + ".";
  std::vector<jsgf_rule_t*> public_rules;
  std::vector<std::string> names;
  for (jsgf_rule_iter_t* it = jsgf_rule_iter(grammar); it != nullptr;
       it = jsgf_rule_iter_next(it)) {
    jsgf_rule_t* rule = jsgf_rule_iter_rule(it);
    const std::string name = jsgf_rule_name(rule);
    if (jsgf_rule_public(rule) && name.rfind(own_prefix, 0) == 0) {
      public_rules.push_back(rule);
      names.push_back(name);
    }
  }
  if (public_rules.empty()) throw Error("invalid_grammar", "JSGF grammar has no public rule");
  if (public_rules.size() > 1) {
    throw Error("invalid_grammar", "JSGF grammar has several public rules (" + joined(names) +
                                       "); mark only the top-level rule public");
  }
  return public_rules.front();
}

// Weighted alternatives ("/2/ go") become log weights in this base. Decoders use the same
// default (make_config never sets -logbase), so the numbers carry over unchanged.
std::unique_ptr<logmath_t, LogmathFree> default_logmath() {
  std::unique_ptr<cmd_ln_t, ConfigFree> defaults(cmd_ln_parse_r(nullptr, ps_args(), 0, nullptr, 0));
  return std::unique_ptr<logmath_t, LogmathFree>(
      logmath_init(cmd_ln_float32_r(defaults.get(), "-logbase"), 0, 0));
}

WordGraph graph_of(fsg_model_t* fsg) {
  WordGraph graph;
  graph.name = fsg_model_name(fsg);
  graph.states = fsg_model_n_state(fsg);
  graph.start = fsg_model_start_state(fsg);
  graph.final = fsg_model_final_state(fsg);
  for (int i = 0; i < fsg_model_n_word(fsg); ++i)
    graph.words.emplace_back(fsg_model_word_str(fsg, i));
  for (int state = 0; state < graph.states; ++state) {
    for (fsg_arciter_t* it = fsg_model_arcs(fsg, state); it != nullptr; it = fsg_arciter_next(it)) {
      const fsg_link_t* link = fsg_arciter_get(it);
      graph.arcs.push_back({fsg_link_from_state(link), fsg_link_to_state(link), fsg_link_wid(link),
                            fsg_link_logs2prob(link)});
    }
  }
  return graph;
}

WordPhones phones_of(const std::vector<Pronunciation>& pronunciations) {
  WordPhones phones;
  for (const Pronunciation& pronunciation : pronunciations) {
    const std::string& text = pronunciation.phones;
    phones.first.insert(text.substr(0, text.find(' ')));
    phones.last.insert(text.substr(text.rfind(' ') + 1));
  }
  return phones;
}

}  // namespace

WordGraph jsgf_word_graph(const std::string& jsgf) {
  sphinx::quiet_logging();
  sphinx::ErrorCapture errors;
  std::unique_ptr<jsgf_t, JsgfFree> grammar(jsgf_parse_string(jsgf.c_str(), nullptr));
  if (!grammar) {
    throw Error("invalid_grammar", "JSGF does not parse: " + syntax_error(errors.first()));
  }
  jsgf_rule_t* rule = top_rule(grammar.get());
  const auto logmath = default_logmath();
  // The language weight only matters to the automaton each decoder builds (install_grammar).
  std::unique_ptr<fsg_model_t, FsgFree> fsg(
      jsgf_build_fsg(grammar.get(), rule, logmath.get(), /*lw=*/1));
  // jsgf_build_fsg returns a partial automaton after logging, e.g., an undefined rule.
  if (!fsg || errors.any()) {
    throw Error("invalid_grammar", "JSGF grammar is not usable: " + errors.messages());
  }
  if (fsg_model_n_word(fsg.get()) == 0) throw Error("invalid_grammar", "JSGF grammar has no words");
  fsg_model_null_trans_add(fsg.get(), fsg_model_start_state(fsg.get()),
                           fsg_model_final_state(fsg.get()), 0);
  glist_free(fsg_model_null_trans_closure(fsg.get(), nullptr));
  return graph_of(fsg.get());
}

CompiledGrammar::CompiledGrammar(WordGraph graph, const PronunciationDictionary& dictionary)
    : graph_(std::move(graph)) {
  std::vector<std::string> missing;
  for (const auto& word : graph_.words) {
    auto found = dictionary.pronunciations(word);
    if (found.empty()) missing.push_back(word);
    for (auto& pronunciation : found) pronunciations_.push_back(std::move(pronunciation));
  }
  if (!missing.empty()) {
    throw Error(
        "invalid_grammar",
        "JSGF grammar uses words missing from the pronunciation dictionary: " + joined(missing));
  }
}

CompiledGrammar compile_grammar(const std::string& jsgf,
                                const PronunciationDictionary& dictionary) {
  const WordGraph graph = jsgf_word_graph(jsgf);
  std::vector<WordPhones> phones;
  for (const auto& word : graph.words) phones.push_back(phones_of(dictionary.pronunciations(word)));
  return CompiledGrammar(merge_equivalent_states(graph, context_classes(graph, phones)),
                         dictionary);
}

void install_grammar(PocketsphinxDecoder& decoder, const CompiledGrammar& grammar) {
  sphinx::ErrorCapture errors;
  ps_decoder_t* ps = decoder.handle();
  for (const Pronunciation& pronunciation : grammar.pronunciations()) {
    if (decoder.knows(pronunciation.spelling)) continue;
    // Not updating the searches on each word: the grammar search is built afterwards anyway.
    if (ps_add_word(ps, pronunciation.spelling.c_str(), pronunciation.phones.c_str(), 0) < 0) {
      throw Error("invalid_grammar", "pocketsphinx rejected the pronunciation " +
                                         pronunciation.spelling + " " + pronunciation.phones +
                                         ": " + errors.messages());
    }
  }
  const WordGraph& graph = grammar.graph();
  std::unique_ptr<fsg_model_t, FsgFree> fsg(
      fsg_model_init(graph.name.c_str(), ps_get_logmath(ps),
                     cmd_ln_float32_r(ps_get_config(ps), "-lw"), graph.states));
  fsg->start_state = graph.start;
  fsg->final_state = graph.final;
  for (const auto& word : graph.words) fsg_model_word_add(fsg.get(), word.c_str());
  for (const WordArc& arc : graph.arcs) {
    if (arc.word < 0) {
      fsg_model_null_trans_add(fsg.get(), arc.from, arc.to, arc.log_weight);
    } else {
      fsg_model_trans_add(fsg.get(), arc.from, arc.to, arc.log_weight, arc.word);
    }
  }
  if (ps_set_fsg(ps, kGrammarSearch, fsg.get()) < 0 || ps_set_search(ps, kGrammarSearch) < 0) {
    throw Error("invalid_grammar", "pocketsphinx rejected the grammar: " + errors.messages());
  }
}

}  // namespace tektra
