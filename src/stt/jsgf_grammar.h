// Installing a JSGF grammar as a decoder's search, with clear errors for grammars it cannot use.
#pragma once

#include <string>
#include <vector>

#include "stt/pocketsphinx_decoder.h"

namespace tektra {

// Compiles `jsgf` into `decoder`'s search and makes it the active one. The grammar may also match
// an utterance with no words at all, so silence and noise come back as an empty path rather than
// as the nearest command (the caller tells "nothing said" from "something else said" by score).
//
// Throws Error("invalid_grammar") and leaves the decoder's previous grammar in place when the text
// does not parse, refers to an undefined rule, has no public rule or several (mark only the
// top-level rule public), has no words, or uses words missing from the pronunciation dictionary.
// Missing words are all listed: dropping them silently would change which sentences the grammar
// accepts (and so which intent fires); use missing_words() to filter templates beforehand.
void install_grammar(PocketsphinxDecoder& decoder, const std::string& jsgf);

// The words in `words` that the decoder's pronunciation dictionary does not know.
std::vector<std::string> missing_words(PocketsphinxDecoder& decoder,
                                       const std::vector<std::string>& words);

}  // namespace tektra
