// The VAD engines selectable by name in config (vad.engine), and the choice sessions get.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <utility>

#include "core/error.h"
#include "vad/silero_vad.h"
#include "vad/vad.h"
#include "vad/webrtc_vad.h"

namespace tektra {
namespace {

using Factory = std::function<std::unique_ptr<VoiceActivityDetector>(const VadConfig&)>;

// Every session shares the network loaded from a file; only its state is per session.
std::shared_ptr<const SileroNetwork> silero_network(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const SileroNetwork>> networks;
  if (path.empty()) throw Error("invalid_model", "vad.model: no Silero VAD weights given");
  std::lock_guard lock(mutex);
  auto& network = networks[path];
  if (!network) network = std::make_shared<const SileroNetwork>(load_silero_weights(path));
  return network;
}

const std::vector<std::pair<std::string, Factory>>& registry() {
  static const std::vector<std::pair<std::string, Factory>> engines = {
      {"silero",
       [](const VadConfig& c) { return std::make_unique<SileroVad>(silero_network(c.model)); }},
      {"webrtc", [](const VadConfig& c) { return std::make_unique<WebRtcVad>(c.aggressiveness); }},
  };
  return engines;
}

std::string find_silero_weights(const std::filesystem::path& model_dir) {
  std::error_code error;
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(model_dir, error)) {
    const std::string name = entry.path().filename().string();
    if ((name.starts_with("silero") && name.ends_with(".onnx")) ||
        (name.starts_with("ggml-silero") && name.ends_with(".bin"))) {
      found.push_back(entry.path().string());
    }
  }
  std::sort(found.begin(), found.end());
  return found.empty() ? "" : found.front();
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

VadChoice choose_vad(VadConfig config, const std::filesystem::path& model_dir) {
  VadChoice choice{std::move(config), ""};
  VadConfig& chosen = choice.config;
  if (chosen.engine != "silero" || !chosen.model.empty()) {
    create_vad(chosen);  // throws for an unknown engine or unreadable weights
    return choice;
  }
  chosen.model = find_silero_weights(model_dir);
  try {
    if (chosen.model.empty()) {
      throw Error("invalid_model",
                  fmt::format("no silero*.onnx or ggml-silero*.bin in {}", model_dir.string()));
    }
    create_vad(chosen);
  } catch (const Error& e) {
    choice.note = fmt::format("Silero VAD unavailable ({}); using WebRTC's detector", e.what());
    chosen.engine = "webrtc";
    chosen.model.clear();
  }
  return choice;
}

}  // namespace tektra
