// Runtime wiring.
#include "app/runtime.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include <thread>

#include "core/error.h"

namespace tektra {
namespace {

unsigned compute_threads() {
  // Leave room for the I/O threads; at least two so one slow job never stalls every session.
  return std::max(2u, std::thread::hardware_concurrency());
}

// A reply mostly waits (on the model, on paced audio), so there are enough threads for every
// generation the model serves at once, plus replies without it.
unsigned reply_threads(const Config& config) {
  return static_cast<unsigned>(std::max(4, config.llm.slots + 2));
}

// The configured model, the first usable one in the model directory, or none. A remote server
// takes the place of a local model.
std::unique_ptr<llm::LocalEngine> load_language_model(const Config& config) {
  const LlmConfig& c = config.llm;
  if (c.model == "none" || !c.url.empty()) return nullptr;
  const llm::LocalEngineOptions options{
      .model = c.model, .slots = c.slots, .n_ctx = c.context, .threads = c.threads};
  auto engine = c.model.empty() ? llm::load_first_model(config.model_dir(), options)
                                : std::make_unique<llm::LocalEngine>(options);
  if (engine)
    spdlog::info("language model {} ({}, {} slots)", engine->name(),
                 engine->model().config().architecture_name, c.slots);
  return engine;
}

std::unique_ptr<llm::RemoteEngine> remote_language_model(const Config& config) {
  const LlmConfig& c = config.llm;
  if (c.url.empty()) return nullptr;
  llm::RemoteEngineOptions options;
  options.url = c.url;
  options.model = c.remote_model;
  options.context_size = c.context;
  options.first_byte_timeout = options.idle_timeout = std::chrono::milliseconds(c.timeout_ms);
  if (!c.api_key_env.empty()) {
    const char* key = std::getenv(c.api_key_env.c_str());
    if (!key || !*key)
      throw Error(
          "invalid_config",
          fmt::format("llm.api_key_env: the environment variable {} is not set", c.api_key_env));
    options.api_key = key;
  }
  if (!c.model.empty() && c.model != "none")
    spdlog::warn("llm.url is set, so the local model {} is not loaded", c.model);
  spdlog::info("language model at {}{}", c.url,
               c.remote_model.empty() ? "" : " (" + c.remote_model + ")");
  return std::make_unique<llm::RemoteEngine>(std::move(options));
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
      llm_(load_language_model(config)),
      remote_(remote_language_model(config)),
      agent_(std::make_unique<Agent>(*store_, bus_, config.agent, chat_engine())),
      recognizer_(create_recognizer(config.stt)),
      voices_(create_voice_catalog()),
      pool_(compute_threads()),
      replies_(reply_threads(config)) {
  if (!voices_.has_voice(config.tts.voice)) {
    spdlog::warn("configured voice '{}' is not available", config.tts.voice);
  }
  if (config.stt.grammar_first) install_intent_grammar(*recognizer_, agent_->grammar_jsgf());
  auto vad = choose_vad(config.vad, config.model_dir());
  if (!vad.note.empty()) spdlog::warn("{}", vad.note);
  spdlog::info("voice activity: {}{}", vad.config.engine,
               vad.config.model.empty() ? "" : " (" + vad.config.model + ")");
  config.vad = vad.config;
  services_ = std::unique_ptr<ServerServices>(
      new ServerServices{std::move(config), *store_, *agent_, *recognizer_, voices_, pool_,
                         replies_, timers_, bus_, MetricsRegistry::global(), llm_.get()});
}

Runtime::~Runtime() = default;

llm::ChatEngine* Runtime::chat_engine() {
  if (remote_) return remote_.get();
  return llm_.get();
}

}  // namespace tektra
