// The TTS engines by name, and the catalog of every engine this machine can run.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "core/error.h"
#include "tts/espeak_synthesizer.h"
#include "tts/flite_synthesizer.h"
#include "tts/tts.h"

namespace tektra {

std::vector<std::string> tts_engines() {
  return {"flite", "espeak-ng"};
}

std::unique_ptr<SpeechSynthesizer> create_synthesizer(const std::string& engine) {
  if (engine == "flite") return create_flite_synthesizer();
  if (engine == "espeak-ng") return create_espeak_synthesizer();
  throw Error("unknown_engine", fmt::format("unknown TTS engine '{}'; available: {}", engine,
                                            fmt::join(tts_engines(), ", ")));
}

VoiceCatalog create_voice_catalog() {
  std::vector<std::unique_ptr<SpeechSynthesizer>> engines;
  for (const std::string& name : tts_engines()) {
    try {
      engines.push_back(create_synthesizer(name));
    } catch (const std::exception& e) {
      spdlog::warn("TTS engine {} is unavailable: {}", name, e.what());
    }
  }
  return VoiceCatalog(std::move(engines));
}

}  // namespace tektra
