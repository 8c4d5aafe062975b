// The VAD engines selectable by name in config (vad.engine).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <functional>
#include <utility>

#include "core/error.h"
#include "vad/vad.h"
#include "vad/webrtc_vad.h"

namespace tektra {
namespace {

using Factory = std::function<std::unique_ptr<VoiceActivityDetector>(const VadConfig&)>;

const std::vector<std::pair<std::string, Factory>>& registry() {
  static const std::vector<std::pair<std::string, Factory>> engines = {
      {"webrtc", [](const VadConfig& c) { return std::make_unique<WebRtcVad>(c.aggressiveness); }},
  };
  return engines;
}

}  // namespace

std::unique_ptr<VoiceActivityDetector> create_vad(const VadConfig& config) {
  for (const auto& [name, factory] : registry()) {
    if (name == config.engine) return factory(config);
  }
  throw Error("unknown_engine", fmt::format("unknown VAD engine '{}' (available: {})",
                                            config.engine, fmt::join(vad_engines(), ", ")));
}

std::vector<std::string> vad_engines() {
  std::vector<std::string> names;
  for (const auto& entry : registry()) names.push_back(entry.first);
  return names;
}

}  // namespace tektra
