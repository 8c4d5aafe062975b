// Locating a pocketsphinx model on disk: acoustic model, pronunciation dictionary, language model.
#pragma once

#include <filesystem>
#include <set>
#include <string>

namespace tektra {

struct PocketsphinxModel {
  std::filesystem::path acoustic_model;  // directory with mdef, means, variances, noisedict...
  std::filesystem::path dictionary;      // *.dict: one "word PHONES" per line
  std::filesystem::path language_model;  // *.lm.bin, *.lm or *.dmp n-gram model
  std::set<std::string> filler_words;    // from noisedict: <s>, </s>, <sil>, [NOISE]...
};

// Finds the parts inside `dir`. Debian's pocketsphinx-en-us installs exactly this layout in
// /usr/share/pocketsphinx/model/en-us: en-us/ (acoustic), cmudict-en-us.dict, en-us.lm.bin; other
// CMUSphinx models unpacked the same way work too. Phonetic language models (*-phone.*) are
// skipped. Throws Error("engine_unavailable") naming what is missing and how to get it.
PocketsphinxModel find_pocketsphinx_model(const std::filesystem::path& dir);

}  // namespace tektra
