// Runtime wiring.
#include "app/runtime.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "core/error.h"

namespace tektra {
namespace {

unsigned compute_threads() {
  // Leave room for the I/O threads; at least two so one slow job never stalls every session.
  return std::max(2u, std::thread::hardware_concurrency());
}

}  // namespace

void install_intent_grammar(SpeechRecognizer& recognizer, const std::string& jsgf) {
  try {
    recognizer.set_grammar(jsgf);
  } catch (const Error& e) {
    // A user template with a word the recogniser cannot spell must not stop the assistant:
    // free-form decoding still works, only the grammar's accuracy boost is lost.
    spdlog::warn("speech recognition runs without the intent grammar: {}", e.what());
  }
}

Runtime::Runtime(Config config)
    : store_(open_sqlite_store(config.database_path())),
      agent_(std::make_unique<Agent>(*store_, bus_, config.agent)),
      recognizer_(create_recognizer(config.stt)),
      voices_(create_voice_catalog()),
      pool_(compute_threads()) {
  if (!voices_.has_voice(config.tts.voice)) {
    spdlog::warn("configured voice '{}' is not available", config.tts.voice);
  }
  if (config.stt.grammar_first) install_intent_grammar(*recognizer_, agent_->grammar_jsgf());
  services_ = std::unique_ptr<ServerServices>(
      new ServerServices{std::move(config), *store_, *agent_, *recognizer_, voices_, pool_, timers_,
                         bus_, MetricsRegistry::global()});
}

Runtime::~Runtime() = default;

}  // namespace tektra
