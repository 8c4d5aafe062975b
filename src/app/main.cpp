// tektra: the command-line entry point.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

int main(int argc, char** argv) {
  CLI::App app{"Tektra: a local-first voice assistant"};
  app.require_subcommand(1);
  app.add_subcommand("version", "print the version")->callback([] { fmt::print("tektra {}\n", TEKTRA_VERSION); });
  CLI11_PARSE(app, argc, argv);
  return 0;
}
