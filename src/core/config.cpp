// Config keys, defaults and layering (file, environment); TOML parsing lives in config_file.cpp.
#include "core/config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>

#include "core/error.h"

extern char** environ;

namespace tektra {

std::map<std::string, std::string> read_config_file(
    const std::filesystem::path& path);  // config_file.cpp

namespace {

[[noreturn]] void bad_value(const std::string& key, const std::string& value,
                            const char* expected) {
  throw Error("invalid_config", fmt::format("{}: '{}' is not {}", key, value, expected));
}

long parse_int(const std::string& key, const std::string& value, long lo, long hi) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno != 0) bad_value(key, value, "an integer");
  if (v < lo || v > hi) {
    throw Error("invalid_config", fmt::format("{}: {} is outside {}..{}", key, v, lo, hi));
  }
  return v;
}

double parse_double(const std::string& key, const std::string& value, double lo, double hi) {
  char* end = nullptr;
  double v = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0') bad_value(key, value, "a number");
  if (!(v >= lo && v <= hi)) {
    throw Error("invalid_config", fmt::format("{}: {} is outside {}..{}", key, v, lo, hi));
  }
  return v;
}

bool parse_bool(const std::string& key, const std::string& value) {
  if (value == "true" || value == "1" || value == "yes" || value == "on") return true;
  if (value == "false" || value == "0" || value == "no" || value == "off") return false;
  bad_value(key, value, "a boolean");
}

// Keys are declared with accessors so nested sections stay readable in one table.
std::vector<ConfigKey> make_keys() {
  auto text = [](std::string name, std::string doc, auto field) {
    return ConfigKey{name, std::move(doc),
                     [field](const Config& c) { return *field(const_cast<Config&>(c)); },
                     [field](Config& c, const std::string& v) { *field(c) = v; }};
  };
  auto choice = [](std::string name, std::string doc, auto field,
                   std::vector<std::string> allowed) {
    return ConfigKey{
        name, std::move(doc), [field](const Config& c) { return *field(const_cast<Config&>(c)); },
        [field, name, allowed](Config& c, const std::string& v) {
          if (std::find(allowed.begin(), allowed.end(), v) == allowed.end())
            bad_value(name, v, fmt::format("one of {}", fmt::join(allowed, ", ")).c_str());
          *field(c) = v;
        }};
  };
  auto integer = [](std::string name, std::string doc, auto field, long lo, long hi) {
    return ConfigKey{
        name, std::move(doc),
        [field](const Config& c) { return std::to_string(*field(const_cast<Config&>(c))); },
        [field, name, lo, hi](Config& c, const std::string& v) {
          *field(c) =
              static_cast<std::remove_reference_t<decltype(*field(c))>>(parse_int(name, v, lo, hi));
        }};
  };
  auto real = [](std::string name, std::string doc, auto field, double lo, double hi) {
    return ConfigKey{
        name, std::move(doc),
        [field](const Config& c) { return fmt::format("{}", *field(const_cast<Config&>(c))); },
        [field, name, lo, hi](Config& c, const std::string& v) {
          *field(c) = parse_double(name, v, lo, hi);
        }};
  };
  auto boolean = [](std::string name, std::string doc, auto field) {
    return ConfigKey{
        name, std::move(doc),
        [field](const Config& c) { return *field(const_cast<Config&>(c)) ? "true" : "false"; },
        [field, name](Config& c, const std::string& v) { *field(c) = parse_bool(name, v); }};
  };
  return {
      ConfigKey{"data_dir", "where the database and models live",
                [](const Config& c) { return c.data_dir.string(); },
                [](Config& c, const std::string& v) { c.data_dir = v; }},
      text("log_level", "trace, debug, info, warn, error", [](Config& c) { return &c.log_level; }),
      boolean("log_json", "write logs as JSON lines", [](Config& c) { return &c.log_json; }),
      text("server.host", "address to listen on", [](Config& c) { return &c.server.host; }),
      integer(
          "server.port", "TCP port (0 picks a free one)", [](Config& c) { return &c.server.port; },
          0, 65535),
      integer(
          "server.io_threads", "network I/O threads",
          [](Config& c) { return &c.server.io_threads; }, 1, 64),
      integer(
          "server.max_sessions", "concurrent voice sessions",
          [](Config& c) { return &c.server.max_sessions; }, 1, 10000),
      integer(
          "server.max_message_bytes", "largest WebSocket message or HTTP body",
          [](Config& c) { return &c.server.max_message_bytes; }, 1024, 1L << 30),
      text("stt.engine", "speech-to-text engine", [](Config& c) { return &c.stt.engine; }),
      text("stt.model_dir", "pocketsphinx acoustic model directory",
           [](Config& c) { return &c.stt.model_dir; }),
      boolean("stt.grammar_first", "decode with the intent grammar before free-form",
              [](Config& c) { return &c.stt.grammar_first; }),
      real(
          "stt.grammar_min_confidence", "grammar results below this fall back to free-form",
          [](Config& c) { return &c.stt.grammar_min_confidence; }, 0.0, 1.0),
      text(
          "tts.voice",
          "default voice; its name picks the engine (flite: slt kal awb rms; espeak-ng: en-us ...)",
          [](Config& c) { return &c.tts.voice; }),
      real(
          "tts.rate", "speaking-rate multiplier", [](Config& c) { return &c.tts.rate; }, 0.25, 4.0),
      text("vad.engine", "voice activity detector: silero or webrtc",
           [](Config& c) { return &c.vad.engine; }),
      text("vad.model", "Silero VAD weights; empty: found in <data_dir>/models",
           [](Config& c) { return &c.vad.model; }),
      integer(
          "vad.aggressiveness", "WebRTC VAD mode 0..3",
          [](Config& c) { return &c.vad.aggressiveness; }, 0, 3),
      real(
          "vad.threshold", "speech ratio that counts as speech",
          [](Config& c) { return &c.vad.threshold; }, 0.0, 1.0),
      integer(
          "vad.min_speech_ms", "shortest speech that starts a turn",
          [](Config& c) { return &c.vad.min_speech_ms; }, 0, 5000),
      integer(
          "vad.silence_duration_ms", "silence that ends a turn",
          [](Config& c) { return &c.vad.silence_duration_ms; }, 100, 10000),
      integer(
          "vad.command_silence_ms",
          "silence that ends a turn whose words already form a complete command",
          [](Config& c) { return &c.vad.command_silence_ms; }, 100, 10000),
      integer(
          "vad.prefix_padding_ms", "audio kept before speech start",
          [](Config& c) { return &c.vad.prefix_padding_ms; }, 0, 5000),
      choice("audio.echo_canceller", "echo cancellation of the reply audio: webrtc, speex or off",
             [](Config& c) { return &c.audio.echo_canceller; }, {"webrtc", "speex", "off"}),
      choice("audio.noise_suppression", "noise suppression of the microphone audio",
             [](Config& c) { return &c.audio.noise_suppression; },
             {"off", "low", "moderate", "high", "very_high"}),
      boolean("audio.agc", "automatic gain control of the microphone audio",
              [](Config& c) { return &c.audio.agc; }),
      text("agent.name", "the assistant's name", [](Config& c) { return &c.agent.name; }),
      text("agent.intents_dir", "directory of extra sentence-template files",
           [](Config& c) { return &c.agent.intents_dir; }),
      text("agent.style", "how the assistant speaks, for language-model replies",
           [](Config& c) { return &c.agent.style; }),
      text("agent.verbosity", "brief, normal or detailed (language-model replies)",
           [](Config& c) { return &c.agent.verbosity; }),
      text("agent.persona", "free text added to the language model's system prompt",
           [](Config& c) { return &c.agent.persona; }),
      integer(
          "agent.max_tool_rounds", "model turns that may call tools before it must answer",
          [](Config& c) { return &c.agent.max_tool_rounds; }, 0, 16),
      integer(
          "agent.max_reply_tokens", "tokens the model may write per turn",
          [](Config& c) { return &c.agent.max_reply_tokens; }, 16, 1 << 16),
      text("llm.model",
           "GGUF language model; empty: the first model in <data_dir>/models that loads; none: "
           "no model",
           [](Config& c) { return &c.llm.model; }),
      integer(
          "llm.slots", "generations served at once (batched together)",
          [](Config& c) { return &c.llm.slots; }, 1, 64),
      integer(
          "llm.context", "positions per generation", [](Config& c) { return &c.llm.context; }, 64,
          1 << 20),
      integer(
          "llm.threads", "compute threads for the model (0: one per core)",
          [](Config& c) { return &c.llm.threads; }, 0, 256),
      text("llm.url",
           "a remote OpenAI-compatible server (http://host:port) instead of a local model",
           [](Config& c) { return &c.llm.url; }),
      text("llm.remote_model", "the remote server's model; empty: the first it lists",
           [](Config& c) { return &c.llm.remote_model; }),
      text("llm.api_key_env", "environment variable holding the remote server's API key",
           [](Config& c) { return &c.llm.api_key_env; }),
      integer(
          "llm.timeout_ms", "wait for a remote reply to start, and between its pieces",
          [](Config& c) { return &c.llm.timeout_ms; }, 100, 3600000),
  };
}

std::filesystem::path home_dir() {
  const char* home = std::getenv("HOME");
  return home && *home ? std::filesystem::path(home) : std::filesystem::path("/tmp");
}

}  // namespace

const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> keys = make_keys();
  return keys;
}

void set_config_value(Config& config, const std::string& key, const std::string& value) {
  for (const auto& k : config_keys()) {
    if (k.name == key) {
      k.set(config, value);
      return;
    }
  }
  throw Error("invalid_config", fmt::format("unknown configuration key '{}'", key));
}

std::filesystem::path default_config_file() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  std::filesystem::path base = xdg && *xdg ? std::filesystem::path(xdg) : home_dir() / ".config";
  return base / "tektra" / "tektra.toml";
}

std::filesystem::path default_data_dir() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  std::filesystem::path base =
      xdg && *xdg ? std::filesystem::path(xdg) : home_dir() / ".local/share";
  return base / "tektra";
}

std::map<std::string, std::string> tektra_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos && entry.rfind("TEKTRA_", 0) == 0)
      env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

Config load_config(const std::optional<std::filesystem::path>& file,
                   const std::map<std::string, std::string>& environment) {
  Config config;
  config.data_dir = default_data_dir();
  config.agent.intents_dir = (default_config_file().parent_path() / "intents").string();

  std::filesystem::path path = file.value_or(default_config_file());
  if (file && !std::filesystem::exists(path)) {
    throw Error("invalid_config", fmt::format("config file {} does not exist", path.string()));
  }
  if (std::filesystem::exists(path)) {
    for (const auto& [key, value] : read_config_file(path)) {
      try {
        set_config_value(config, key, value);
      } catch (const Error& e) {
        throw Error("invalid_config", fmt::format("{}: {}", path.string(), e.what()));
      }
    }
    config.config_file = path;
  }

  for (const auto& k : config_keys()) {
    std::string var = "TEKTRA_";
    for (char c : k.name)
      var += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto it = environment.find(var);
    if (it == environment.end()) continue;
    try {
      k.set(config, it->second);
    } catch (const Error& e) {
      throw Error("invalid_config", fmt::format("environment {}: {}", var, e.what()));
    }
  }
  return config;
}

std::string config_to_toml(const Config& config) {
  std::string out;
  std::string section;
  for (const auto& k : config_keys()) {
    auto dot = k.name.find('.');
    std::string sec = dot == std::string::npos ? "" : k.name.substr(0, dot);
    std::string leaf = dot == std::string::npos ? k.name : k.name.substr(dot + 1);
    if (sec != section) {
      out += fmt::format("\n[{}]\n", sec);
      section = sec;
    }
    std::string value = k.get(config);
    bool quoted = true;
    char* end = nullptr;
    std::strtod(value.c_str(), &end);
    if ((!value.empty() && *end == '\0') || value == "true" || value == "false") quoted = false;
    out += fmt::format("# {}\n{} = {}\n", k.description, leaf,
                       quoted ? fmt::format("\"{}\"", value) : value);
  }
  return out;
}

}  // namespace tektra
