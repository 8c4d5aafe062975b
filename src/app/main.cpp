// tektra: the command-line entry point.
#include <fmt/core.h>

#include "app/commands.h"
#include "core/error.h"
#include "core/log.h"

namespace tektra {

Config GlobalOptions::load() const {
  Config config =
      load_config(config_file ? std::optional<std::filesystem::path>(*config_file) : std::nullopt,
                  tektra_environment());
  if (data_dir) config.data_dir = *data_dir;
  if (log_level) config.log_level = *log_level;
  for (const auto& kv : settings) {
    auto eq = kv.find('=');
    if (eq == std::string::npos)
      throw Error("invalid_config", "--set expects key=value, got '" + kv + "'");
    set_config_value(config, kv.substr(0, eq), kv.substr(eq + 1));
  }
  configure_logging(config.log_level, config.log_json);
  return config;
}

}  // namespace tektra

int main(int argc, char** argv) {
  using namespace tektra;
  CLI::App app{
      "Tektra: a local-first voice assistant. Listens, understands, acts and speaks, on your "
      "machine."};
  app.set_version_flag("--version", std::string("tektra ") + TEKTRA_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand too
  GlobalOptions global;
  app.add_option("--config", global.config_file,
                 "TOML configuration file (default ~/.config/tektra/tektra.toml)");
  app.add_option("--data-dir", global.data_dir,
                 "where the database and models live (default ~/.local/share/tektra)");
  app.add_option("--log-level", global.log_level, "trace, debug, info, warn, error, off");
  app.add_option("--set", global.settings,
                 "override any configuration key, e.g. --set vad.silence_duration_ms=400");

  add_serve_command(app, global);
  add_chat_command(app, global);
  add_transcribe_command(app, global);
  add_say_command(app, global);
  add_doctor_command(app, global);
  add_config_command(app, global);
  add_bench_command(app, global);
  add_generate_command(app, global);
  add_model_command(app, global);
  app.add_subcommand("version", "print the version")->callback([] {
    fmt::print("tektra {}\n", TEKTRA_VERSION);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const Error& e) {
    fmt::print(stderr, "tektra: {} ({})\n", e.what(), e.code());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "tektra: {}\n", e.what());
    return 1;
  }
  return global.exit_code;
}
