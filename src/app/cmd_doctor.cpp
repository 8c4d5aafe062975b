// `tektra doctor` and `tektra config`: what this machine has, what is missing and how to get it.
#include <fmt/core.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "app/commands.h"
#include "core/error.h"
#include "llm/chat_template.h"
#include "llm/model.h"
#include "llm/remote_engine.h"
#include "llm/tokenizer.h"
#include "llm/tool_calls.h"
#include "store/store.h"
#include "stt/stt.h"
#include "tts/tts.h"
#include "vad/vad.h"

namespace tektra {
namespace {

struct Report {
  int problems = 0;
  void ok(const std::string& what, const std::string& detail) {
    fmt::print("  ok       {:<22} {}\n", what, detail);
  }
  void missing(const std::string& what, const std::string& detail, const std::string& fix) {
    ++problems;
    fmt::print("  MISSING  {:<22} {}\n           fix: {}\n", what, detail, fix);
  }
  void note(const std::string& what, const std::string& detail) {
    fmt::print("  -        {:<22} {}\n", what, detail);
  }
};

void check_paths(const Config& config, Report& r) {
  fmt::print("Configuration and data\n");
  if (config.config_file.empty()) {
    r.note("config file",
           fmt::format("none ({} not found; built-in defaults)", default_config_file().string()));
  } else {
    r.ok("config file", config.config_file.string());
  }
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    r.missing("data directory", config.data_dir.string() + ": " + ec.message(),
              "choose one with --data-dir");
  } else {
    r.ok("data directory", config.data_dir.string());
  }
  try {
    auto store = open_sqlite_store(config.database_path());
    r.ok("database", fmt::format("{} (schema v{}, SQLite {})", config.database_path().string(),
                                 store->schema_version(), sqlite3_libversion()));
  } catch (const Error& e) {
    r.missing("database", e.what(), "move the damaged file aside; Tektra creates a new one");
  }
  r.ok("intent templates",
       fmt::format("built in; extra templates from {}", config.agent.intents_dir));
}

void check_engines(const Config& config, Report& r) {
  fmt::print("\nEngines\n");
  try {
    auto recognizer = create_recognizer(config.stt);
    r.ok("speech-to-text", fmt::format("{} (model {})", recognizer->name(), config.stt.model_dir));
  } catch (const Error& e) {
    r.missing("speech-to-text", e.what(),
              "sudo apt-get install pocketsphinx-en-us (or run scripts/install-deps)");
  }
  try {
    const auto vad = choose_vad(config.vad, config.model_dir());
    if (vad.note.empty()) {
      r.ok("voice activity",
           vad.config.engine + (vad.config.model.empty() ? "" : " (" + vad.config.model + ")"));
    } else {
      // WebRTC's detector works; the neural one is better, so say how to get it.
      r.note("voice activity", fmt::format("{}; scripts/install-deps puts silero_vad_v6.onnx in {}",
                                           vad.note, config.model_dir().string()));
    }
  } catch (const Error& e) {
    r.missing("voice activity", e.what(), "check vad.engine and vad.model");
  }
  VoiceCatalog voices = create_voice_catalog();
  for (const auto& engine : tts_engines()) {
    std::string names;
    for (const auto& v : voices.voices()) {
      if (v.engine == engine) names += (names.empty() ? "" : ", ") + v.name;
    }
    if (names.empty()) {
      r.missing("text-to-speech " + engine, "no voices",
                engine == "flite" ? "sudo apt-get install flite1-dev"
                                  : "sudo apt-get install espeak-ng-data");
    } else {
      r.ok("text-to-speech " + engine, names);
    }
  }
  if (voices.has_voice(config.tts.voice)) {
    r.ok("default voice", config.tts.voice);
  } else {
    r.missing("default voice", config.tts.voice + " is not installed",
              "pick one listed above with --set tts.voice=NAME");
  }
}

// How a model's conversations are written: its own chat template (and the tool-call syntax it
// implies), ChatML when it has none, or why its template cannot be used.
std::string chat_format(const llm::Model& model) {
  if (!model.file().get_string("tokenizer.chat_template")) return "no chat template (ChatML)";
  try {
    const auto t = llm::ChatTemplate::from_gguf(model.file());
    const auto tools = llm::detect_tool_call_format(t.source());
    return tools == llm::ToolCallFormat::None
               ? "chat template, no tool calls"
               : fmt::format("chat template, {} tool calls", llm::tool_call_format_name(tools));
  } catch (const Error& e) {
    return fmt::format("chat template unusable: {}", e.what());
  }
}

// Loads each model as `generate` and `serve` would (mapping, shapes, types, tokenizer, chat
// template) and says what it is; true when it runs.
bool check_model(const std::filesystem::path& path, Report& r) {
  const std::string name = path.filename().string();
  try {
    const auto model = llm::Model::load(path);
    const auto tokenizer = llm::Tokenizer::from_gguf(model->file());
    const llm::ModelConfig& c = model->config();
    r.ok("GGUF model",
         fmt::format("{}: {}, {} layers, embedding {}, {:.0f} MiB, {}-token {} vocabulary, {}; "
                     "try `tektra generate -m {}`",
                     name, c.architecture_name, c.n_layer, c.n_embd,
                     static_cast<double>(model->bytes_per_token()) / (1 << 20), tokenizer.size(),
                     tokenizer.model(), chat_format(*model), path.string()));
    return true;
  } catch (const Error& e) {
    r.note("GGUF model", fmt::format("{}: cannot run: {} ({})", name, e.what(), e.code()));
    return false;
  }
}

// A remote model server: whether it answers and what it lists.
void check_remote(const Config& config, Report& r) {
  try {
    llm::RemoteEngine remote({.url = config.llm.url});
    const auto models = remote.list_models(std::chrono::seconds(3));
    std::string listed;
    for (const auto& m : models) {
      if (!listed.empty()) listed += ", ";
      listed += m;
    }
    r.ok("remote model",
         fmt::format(
             "{} answers; models: {}{}", config.llm.url, listed.empty() ? "(none listed)" : listed,
             config.llm.remote_model.empty() ? "" : "; serve uses " + config.llm.remote_model));
  } catch (const Error& e) {
    r.missing(
        "remote model", e.what(),
        "start the server, or fix llm.url; meanwhile the assistant answers from intents only");
  }
}

void check_models(const Config& config, Report& r) {
  fmt::print("\nLanguage models\n");
  std::vector<std::filesystem::path> found;
  std::error_code ec;
  if (std::filesystem::is_directory(config.model_dir(), ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(config.model_dir(), ec)) {
      if (entry.path().extension() == ".gguf") found.push_back(entry.path());
    }
  }
  std::sort(found.begin(), found.end());
  if (found.empty()) {
    r.note("GGUF models",
           fmt::format("none in {} — the assistant runs on intents only (time, date, timers, "
                       "memory, arithmetic)",
                       config.model_dir().string()));
  }
  std::optional<std::filesystem::path> served;
  for (const auto& f : found)
    if (check_model(f, r) && !served) served = f;
  if (!config.llm.url.empty()) {
    check_remote(config, r);
  } else if (config.llm.model == "none") {
    r.note("serve", "runs without a language model (llm.model = none)");
  } else if (!config.llm.model.empty() || served) {
    const std::string model = config.llm.model.empty() ? served->string() : config.llm.model;
    r.note("serve", fmt::format("answers what no intent matches with {}, and serves it at "
                                "/v1/chat/completions and /v1/completions",
                                model));
  }
}

}  // namespace

void add_doctor_command(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "doctor", "check engines, voices, models and data paths; say how to fix gaps");
  cmd->callback([&global] {
    Config config = global.load();
    fmt::print("tektra {}\n\n", TEKTRA_VERSION);
    Report report;
    check_paths(config, report);
    check_engines(config, report);
    check_models(config, report);
    fmt::print("\n{}\n", report.problems == 0
                             ? "Everything needed is present."
                             : fmt::format("{} problem(s) found.", report.problems));
    if (report.problems > 0) global.exit_code = 1;
  });
}

void add_config_command(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("config", "print the effective configuration as TOML");
  cmd->callback([&global] { fmt::print("{}", config_to_toml(global.load())); });
}

}  // namespace tektra
