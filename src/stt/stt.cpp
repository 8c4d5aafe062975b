// Speech-to-text engine registry and whole-buffer transcription.
#include "stt/stt.h"

#include <utility>

#include "core/error.h"
#include "stt/pocketsphinx_recognizer.h"

namespace tektra {
namespace {

using Factory = std::unique_ptr<SpeechRecognizer> (*)(const SttConfig&);

// One line per engine.
const std::vector<std::pair<std::string, Factory>>& registry() {
  static const std::vector<std::pair<std::string, Factory>> engines = {
      {"pocketsphinx",
       [](const SttConfig& c) -> std::unique_ptr<SpeechRecognizer> {
         return std::make_unique<PocketsphinxRecognizer>(c);
       }},
  };
  return engines;
}

}  // namespace

std::unique_ptr<SpeechRecognizer> create_recognizer(const SttConfig& config) {
  for (const auto& [name, factory] : registry()) {
    if (name == config.engine) return factory(config);
  }
  std::string known;
  for (const auto& name : stt_engines()) known += (known.empty() ? "" : ", ") + name;
  throw Error("unknown_engine",
              "unknown speech-to-text engine '" + config.engine + "' (available: " + known + ")");
}

std::vector<std::string> stt_engines() {
  std::vector<std::string> names;
  for (const auto& entry : registry()) names.push_back(entry.first);
  return names;
}

Transcript SpeechRecognizer::recognize(std::span<const int16_t> pcm16k) {
  auto stream = start();
  stream->accept(pcm16k);
  return stream->finish();
}

Transcript transcribe(SpeechRecognizer& recognizer, std::span<const int16_t> pcm16k) {
  return recognizer.recognize(pcm16k);
}

}  // namespace tektra
