// The tektra subcommands; each file registers one with CLI11 and runs it.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"

namespace tektra {

// Options every subcommand accepts, applied over the config file and environment.
struct GlobalOptions {
  std::optional<std::string> config_file;
  std::optional<std::string> data_dir;
  std::optional<std::string> log_level;
  std::vector<std::string> settings;  // "key=value"
  int exit_code = 0;

  // Loads the layered configuration (defaults < file < TEKTRA_* env < flags) and sets up logging.
  Config load() const;
};

void add_serve_command(CLI::App& app, GlobalOptions& global);
void add_chat_command(CLI::App& app, GlobalOptions& global);
void add_transcribe_command(CLI::App& app, GlobalOptions& global);
void add_say_command(CLI::App& app, GlobalOptions& global);
void add_doctor_command(CLI::App& app, GlobalOptions& global);
void add_config_command(CLI::App& app, GlobalOptions& global);
void add_bench_command(CLI::App& app, GlobalOptions& global);
void add_bench_llm_command(CLI::App& bench);
void add_bench_audio_command(CLI::App& bench, GlobalOptions& global);
void add_generate_command(CLI::App& app, GlobalOptions& global);
void add_model_command(CLI::App& app, GlobalOptions& global);

}  // namespace tektra
