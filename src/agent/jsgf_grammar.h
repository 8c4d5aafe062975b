// Exports sentence templates as a JSGF grammar so speech recognition (pocketsphinx) can be
// constrained to the sentences the assistant understands.
#pragma once

#include <string>

#include "agent/intent_template.h"

namespace tektra {

// "#JSGF V1.0; grammar tektra; public <command> = ...;" covering every intent. Only lower-case
// letter words appear. Numbers are spelled as words by a bounded <number> rule (zero to
// 999,999 with up to two decimals), <duration> mirrors the duration slot, list slots list their
// spoken values, and a free-text slot {x:text} becomes the values of a [$x] list when one exists,
// else one to three words from [$common_words]; the grammar is therefore finite. Throws
// Error("invalid_template") when a free-text slot has neither list.
std::string jsgf_grammar(const TemplateSet& templates);

}  // namespace tektra
