// `tektra serve`: run the HTTP/WebSocket server until interrupted.
#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include "app/commands.h"
#include "app/runtime.h"

namespace tektra {

void add_serve_command(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "serve", "start the voice assistant server (web page, Realtime WebSocket, REST)");
  auto host = std::make_shared<std::optional<std::string>>();
  auto port = std::make_shared<std::optional<int>>();
  auto voice = std::make_shared<std::optional<std::string>>();
  auto llm = std::make_shared<std::optional<std::string>>();
  cmd->add_option("--host", *host, "address to listen on (default 127.0.0.1)");
  cmd->add_option("--port", *port, "TCP port (default 8080; 0 picks a free one)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--voice", *voice, "default voice (see `tektra doctor`)");
  cmd->add_option(
      "--llm", *llm,
      "GGUF language model (default: the first in the model directory; none: no model)");
  auto llm_url = std::make_shared<std::optional<std::string>>();
  auto llm_model = std::make_shared<std::optional<std::string>>();
  auto llm_key_env = std::make_shared<std::optional<std::string>>();
  cmd->add_option("--llm-url", *llm_url,
                  "a remote OpenAI-compatible server instead of a local model (http://host:port)");
  cmd->add_option("--llm-model", *llm_model, "the remote server's model (default: its first)");
  cmd->add_option("--llm-api-key-env", *llm_key_env,
                  "environment variable holding the remote server's API key");
  cmd->callback([&global, host, port, voice, llm, llm_url, llm_model, llm_key_env] {
    Config config = global.load();
    if (*host) config.server.host = **host;
    if (*port) config.server.port = **port;
    if (*voice) config.tts.voice = **voice;
    if (*llm) config.llm.model = **llm;
    if (*llm_url) config.llm.url = **llm_url;
    if (*llm_model) config.llm.remote_model = **llm_model;
    if (*llm_key_env) config.llm.api_key_env = **llm_key_env;
    Runtime runtime(std::move(config));
    Server server(runtime.services());
    server.start();
    server.handle_signals();
    const auto& cfg = runtime.config();
    std::string shown = cfg.server.host == "0.0.0.0" ? "127.0.0.1" : cfg.server.host;
    fmt::print("Tektra is listening on http://{}:{}/  (Ctrl+C to stop)\n", shown, server.port());
    std::fflush(stdout);
    spdlog::info("data in {}", cfg.data_dir.string());
    server.wait();
  });
}

}  // namespace tektra
