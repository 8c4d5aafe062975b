// Installing a JSGF grammar as a decoder's search, with clear errors for grammars it cannot use.
#include "stt/jsgf_grammar.h"

#include <pocketsphinx.h>
#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/fsg_model.h>
#include <sphinxbase/jsgf.h>

#include <memory>
#include <regex>

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

bool in_dictionary(ps_decoder_t* decoder, const std::string& word) {
  char* phones = ps_lookup_word(decoder, word.c_str());
  ckd_free(phones);
  return phones != nullptr;
}

}  // namespace

std::vector<std::string> missing_words(PocketsphinxDecoder& decoder,
                                       const std::vector<std::string>& words) {
  std::vector<std::string> missing;
  for (const auto& word : words) {
    if (!in_dictionary(decoder.handle(), word)) missing.push_back(word);
  }
  return missing;
}

void install_grammar(PocketsphinxDecoder& decoder, const std::string& jsgf) {
  sphinx::ErrorCapture errors;
  std::unique_ptr<jsgf_t, JsgfFree> grammar(jsgf_parse_string(jsgf.c_str(), nullptr));
  if (!grammar) {
    throw Error("invalid_grammar", "JSGF does not parse: " + syntax_error(errors.first()));
  }
  jsgf_rule_t* rule = top_rule(grammar.get());

  ps_decoder_t* ps = decoder.handle();
  std::unique_ptr<fsg_model_t, FsgFree> fsg(jsgf_build_fsg(
      grammar.get(), rule, ps_get_logmath(ps), cmd_ln_float32_r(ps_get_config(ps), "-lw")));
  // jsgf_build_fsg returns a partial automaton after logging, e.g., an undefined rule.
  if (!fsg || errors.any()) {
    throw Error("invalid_grammar", "JSGF grammar is not usable: " + errors.messages());
  }
  if (fsg_model_n_word(fsg.get()) == 0) throw Error("invalid_grammar", "JSGF grammar has no words");

  std::vector<std::string> words;
  for (int i = 0; i < fsg_model_n_word(fsg.get()); ++i) {
    words.emplace_back(fsg_model_word_str(fsg.get(), i));
  }
  if (const auto missing = missing_words(decoder, words); !missing.empty()) {
    throw Error(
        "invalid_grammar",
        "JSGF grammar uses words missing from the pronunciation dictionary: " + joined(missing));
  }

  fsg_model_null_trans_add(fsg.get(), fsg_model_start_state(fsg.get()),
                           fsg_model_final_state(fsg.get()), 0);
  glist_free(fsg_model_null_trans_closure(fsg.get(), nullptr));

  if (ps_set_fsg(ps, kGrammarSearch, fsg.get()) < 0 || ps_set_search(ps, kGrammarSearch) < 0) {
    throw Error("invalid_grammar", "pocketsphinx rejected the grammar: " + errors.messages());
  }
}

}  // namespace tektra
