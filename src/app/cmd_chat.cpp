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
  cmd->callback([&global, message, conversation] {
    Runtime runtime(global.load());
    std::string conversation_id = *conversation;
    auto ask = [&](const std::string& text) {
      try {
        AgentReply reply = runtime.agent().respond({conversation_id, "cli", text});
        conversation_id = reply.conversation_id;
        fmt::print("{}\n", reply.text);
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
