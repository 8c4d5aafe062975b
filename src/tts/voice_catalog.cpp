// VoiceCatalog: one name space of voices over every engine, routing each request to its owner.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/error.h"
#include "tts/tts.h"

namespace tektra {

VoiceCatalog::VoiceCatalog(std::vector<std::unique_ptr<SpeechSynthesizer>> engines)
    : engines_(std::move(engines)) {
  for (const auto& engine : engines_) {
    for (Voice& voice : engine->voices()) {
      auto [owner, inserted] = engine_by_voice_.try_emplace(voice.name, engine.get());
      if (!inserted) {
        spdlog::warn("TTS voice '{}' of engine {} is hidden by the one of engine {}", voice.name,
                     engine->name(), owner->second->name());
        continue;
      }
      voices_.push_back(std::move(voice));
    }
  }
}

std::vector<Voice> VoiceCatalog::voices() const {
  return voices_;
}

bool VoiceCatalog::has_voice(const std::string& voice) const {
  return engine_by_voice_.contains(voice);
}

void VoiceCatalog::require_voice(const std::string& voice) const {
  if (has_voice(voice)) return;
  std::string available;
  for (const Voice& known : voices_) available += (available.empty() ? "" : ", ") + known.name;
  throw Error("unknown_voice", fmt::format("unknown voice '{}'; available: {}", voice,
                                           available.empty() ? "none" : available));
}

Speech VoiceCatalog::synthesize(const std::string& text, const std::string& voice, double rate) {
  require_voice(voice);
  const auto owner = engine_by_voice_.find(voice);
  return owner->second->synthesize(text, voice, rate);
}

}  // namespace tektra
