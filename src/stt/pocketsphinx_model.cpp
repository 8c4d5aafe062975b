// Locating a pocketsphinx model on disk: acoustic model, pronunciation dictionary, language model.
#include "stt/pocketsphinx_model.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "core/error.h"

namespace tektra {
namespace {

namespace fs = std::filesystem;

const char* const kAcousticFiles[] = {"mdef", "means", "variances", "transition_matrices",
                                      "noisedict"};

bool is_acoustic_model(const fs::path& dir) {
  return std::all_of(std::begin(kAcousticFiles), std::end(kAcousticFiles),
                     [&](const char* name) { return fs::is_regular_file(dir / name); });
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Directory entries in name order, so the choice among several candidates is reproducible.
std::vector<fs::path> sorted_entries(const fs::path& dir) {
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(dir)) entries.push_back(entry.path());
  std::sort(entries.begin(), entries.end());
  return entries;
}

std::optional<fs::path> find_acoustic_model(const fs::path& dir) {
  if (is_acoustic_model(dir)) return dir;
  for (const auto& entry : sorted_entries(dir)) {
    if (fs::is_directory(entry) && is_acoustic_model(entry)) return entry;
  }
  return std::nullopt;
}

std::optional<fs::path> find_file(const fs::path& dir,
                                  std::initializer_list<const char*> suffixes) {
  for (const auto& entry : sorted_entries(dir)) {
    const std::string name = entry.filename().string();
    if (!fs::is_regular_file(entry) || name.find("-phone.") != std::string::npos) continue;
    for (const char* suffix : suffixes) {
      if (ends_with(name, suffix)) return entry;
    }
  }
  return std::nullopt;
}

std::set<std::string> read_filler_words(const fs::path& noisedict) {
  std::ifstream in(noisedict);
  if (!in) throw Error("engine_unavailable", "cannot read " + noisedict.string());
  std::set<std::string> words;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string word;
    if (fields >> word) words.insert(word);
  }
  return words;
}

constexpr const char* kHowToInstall =
    "install the Debian package pocketsphinx-en-us or point stt.model_dir at a CMUSphinx model";

}  // namespace

PocketsphinxModel find_pocketsphinx_model(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    throw Error("engine_unavailable", "pocketsphinx model directory " + dir.string() +
                                          " does not exist; " + kHowToInstall);
  }
  const auto acoustic = find_acoustic_model(dir);
  const auto dictionary = find_file(dir, {".dict", ".dic"});
  const auto language_model = find_file(dir, {".lm.bin", ".lm", ".dmp", ".DMP"});
  std::vector<std::string> missing;
  if (!acoustic)
    missing.push_back(
        "an acoustic model (a directory with mdef, means, variances, "
        "transition_matrices, noisedict)");
  if (!dictionary) missing.push_back("a pronunciation dictionary (*.dict)");
  if (!language_model) missing.push_back("a language model (*.lm.bin)");
  if (!missing.empty()) {
    std::string message = "pocketsphinx model in " + dir.string() + " lacks ";
    for (size_t i = 0; i < missing.size(); ++i) message += (i ? ", " : "") + missing[i];
    throw Error("engine_unavailable", message + "; " + kHowToInstall);
  }
  return {*acoustic, *dictionary, *language_model, read_filler_words(*acoustic / "noisedict")};
}

}  // namespace tektra
