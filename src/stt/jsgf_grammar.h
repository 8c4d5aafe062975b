// Compiling a JSGF grammar once and installing it as the search of any number of decoders.
#pragma once

#include <string>
#include <vector>

#include "stt/grammar_graph.h"
#include "stt/pocketsphinx_decoder.h"
#include "stt/pronunciation_dictionary.h"

namespace tektra {

// The word graph of the grammar's public rule, with a null transition from start to final added:
// the grammar then also matches an utterance with no words at all, so silence and noise come
// back as an empty path rather than as the nearest command (the caller tells "nothing said" from
// "something else said" by score).
//
// Throws Error("invalid_grammar") when the text does not parse, refers to an undefined rule, has
// no public rule or several (mark only the top-level rule public), or has no words.
WordGraph jsgf_word_graph(const std::string& jsgf);

// A grammar ready for decoders: its word graph and its words' pronunciations. Immutable.
class CompiledGrammar {
 public:
  // Uses the graph as it is. Throws Error("invalid_grammar") naming every word missing from the
  // dictionary: dropping them silently would change which sentences the grammar accepts (and so
  // which intent fires); use PronunciationDictionary::missing() to filter templates beforehand.
  CompiledGrammar(WordGraph graph, const PronunciationDictionary& dictionary);

  const WordGraph& graph() const { return graph_; }
  // Every word's pronunciations, each word's own spelling before its alternates.
  const std::vector<Pronunciation>& pronunciations() const { return pronunciations_; }

 private:
  WordGraph graph_;
  std::vector<Pronunciation> pronunciations_;
};

// jsgf_word_graph() with equivalent states merged (grammar_graph.h): the same search, for the
// intent grammar in 11 MB of decoder memory instead of 20. Throws as the two steps do.
CompiledGrammar compile_grammar(const std::string& jsgf, const PronunciationDictionary& dictionary);

// Adds the grammar's pronunciations the decoder lacks to its dictionary and makes the grammar its
// search. A grammar decoder starts with no words (pocketsphinx_decoder.h), so after its first
// grammar it knows exactly that grammar's words; pocketsphinx cannot remove words, so a later
// grammar adds to them. Throws Error("invalid_grammar") when pocketsphinx rejects the grammar.
void install_grammar(PocketsphinxDecoder& decoder, const CompiledGrammar& grammar);

}  // namespace tektra
