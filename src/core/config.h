// Tektra's configuration: documented defaults, overridden by a TOML file, TEKTRA_* environment
// variables and command-line flags, in that order.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tektra {

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  int io_threads = 2;
  int max_sessions = 32;                            // concurrent /v1/realtime connections
  std::size_t max_message_bytes = 4 * 1024 * 1024;  // WebSocket message and HTTP body limit
};

struct SttConfig {
  std::string engine = "pocketsphinx";
  std::string model_dir = "/usr/share/pocketsphinx/model/en-us";
  bool grammar_first = true;            // search the intent grammar before free-form decoding
  double grammar_min_confidence = 0.5;  // grammar fit below this falls back to free-form decoding
};

struct TtsConfig {
  std::string voice = "slt";  // the voice's name picks its engine (flite or espeak-ng)
  double rate = 1.0;          // speaking-rate multiplier
};

struct VadConfig {
  // "silero" (the neural detector; WebRTC's when its weights are missing) or "webrtc".
  std::string engine = "silero";
  // Silero VAD v6 weights (.onnx or whisper.cpp's ggml .bin); empty: the first silero*.onnx or
  // ggml-silero*.bin in <data_dir>/models.
  std::string model;
  int aggressiveness = 2;         // WebRTC VAD mode 0..3
  double threshold = 0.5;         // speech ratio over the smoothing window that counts as speech
  int min_speech_ms = 120;        // speech shorter than this never starts a turn
  int silence_duration_ms = 500;  // end-of-turn hangover
  int command_silence_ms = 250;   // shorter hangover once the words heard form a complete command
  int prefix_padding_ms = 300;    // audio kept before the detected speech start
};

// The microphone front-end of voice sessions (audio/audio_front_end.h).
struct AudioConfig {
  std::string echo_canceller = "webrtc";  // webrtc, speex or off (docs/audio.md: why webrtc)
  std::string noise_suppression = "off";  // off, low, moderate, high or very_high
  bool agc = false;                       // automatic gain control
};

struct AgentConfig {
  std::string name = "Tektra";
  std::string intents_dir;  // extra user sentence templates; default <config dir>/intents
  // Personality defaults for language-model replies; PUT /api/v1/personality overrides them.
  std::string style = "warm and direct";
  std::string verbosity = "brief";  // brief, normal or detailed
  std::string persona;              // free text added to the system prompt
  int max_tool_rounds = 4;          // model turns that may call tools before it must answer
  int max_reply_tokens = 256;       // per model turn
};

struct LlmConfig {
  // A GGUF file; empty: the first model in <data_dir>/models that loads; "none": no model.
  std::string model;
  int slots = 4;       // generations served at once (continuous batching)
  int context = 4096;  // positions per generation
  int threads = 0;     // compute threads; 0: one per core
  // A remote OpenAI-compatible server instead of a local model (llm/remote_engine.h).
  std::string url;           // http://host:port; empty: none
  std::string remote_model;  // empty: the first model it lists
  std::string api_key_env;   // the environment variable holding its API key (never the key)
  int timeout_ms = 60000;    // to the first byte of a reply, and between streamed pieces
};

struct Config {
  std::filesystem::path data_dir;     // default ~/.local/share/tektra
  std::filesystem::path config_file;  // the TOML file that was read, if any
  std::string log_level = "info";
  bool log_json = false;
  ServerConfig server;
  SttConfig stt;
  TtsConfig tts;
  VadConfig vad;
  AudioConfig audio;
  AgentConfig agent;
  LlmConfig llm;

  std::filesystem::path database_path() const { return data_dir / "tektra.db"; }
  std::filesystem::path model_dir() const { return data_dir / "models"; }
};

// One settable key ("server.port"), its documentation and how it reads a string value.
struct ConfigKey {
  std::string name;
  std::string description;
  std::function<std::string(const Config&)> get;
  std::function<void(Config&, const std::string&)>
      set;  // throws Error("invalid_config") on bad value
};

// Every key, in documentation order. TOML tables map to the part before the dot; the environment
// variable is TEKTRA_ + the key upper-cased with '.' replaced by '_' (TEKTRA_SERVER_PORT).
const std::vector<ConfigKey>& config_keys();

// Sets one key by name; throws Error("invalid_config") for unknown keys or bad values.
void set_config_value(Config& config, const std::string& key, const std::string& value);

std::filesystem::path default_config_file();  // $XDG_CONFIG_HOME or ~/.config, /tektra/tektra.toml
std::filesystem::path default_data_dir();     // $XDG_DATA_HOME or ~/.local/share, /tektra

// Defaults, then `file` (or the default file when it exists; an explicit file must exist), then
// the environment. Throws Error("invalid_config") with the file, key and reason on any problem.
Config load_config(const std::optional<std::filesystem::path>& file,
                   const std::map<std::string, std::string>& environment);

// The process environment as a map (only TEKTRA_* entries).
std::map<std::string, std::string> tektra_environment();

// Renders the effective configuration as TOML.
std::string config_to_toml(const Config& config);

}  // namespace tektra
