// `tektra chat`: talk to the assistant in text, interactively or one message at a time.
#include <fmt/core.h>

#include <iostream>

#include "app/commands.h"
#include "app/runtime.h"
#include "core/error.h"

namespace tektra {

void add_chat_command(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "chat", "text conversation with the assistant (REPL, or one-shot with -m)");
  auto message = std::make_shared<std::optional<std::string>>();
  auto conversation = std::make_shared<std::string>();
  cmd->add_option("-m,--message", *message, "send one message, print the reply and exit");
  cmd->add_option("--conversation", *conversation, "continue an existing conversation id");
  auto llm = std::make_shared<std::optional<std::string>>();
  cmd->add_option("--llm", *llm,
                  "GGUF language model for what no intent matches; none: intents only (default: "
                  "llm.model)");
  cmd->callback([&global, message, conversation, llm] {
    Config config = global.load();
    if (*llm) config.llm.model = **llm;
    Runtime runtime(config);
    std::string conversation_id = *conversation;
    auto ask = [&](const std::string& text) {
      try {
        // The reply is printed as it is decided: a model's words as it writes them.
        auto print = [](std::string_view piece) {
          fmt::print("{}", piece);
          std::fflush(stdout);
          return true;
        };
        AgentReply reply = runtime.agent().respond({.conversation_id = conversation_id,
                                                    .session_id = "cli",
                                                    .text = text,
                                                    .on_text = print});
        conversation_id = reply.conversation_id;
        fmt::print("\n");
        return !reply.end_conversation;
      } catch (const Error& e) {
        fmt::print(stderr, "error: {} ({})\n", e.what(), e.code());
        global.exit_code = 1;
        return true;
      }
    };
    if (*message) {
      ask(**message);
      return;
    }
    fmt::print("Tektra chat. Type a message; an empty line or Ctrl+D quits.\n");
    std::string line;
    while (fmt::print("> "), std::fflush(stdout), std::getline(std::cin, line)) {
      if (line.empty()) break;
      if (!ask(line)) break;
    }
  });
}

}  // namespace tektra
