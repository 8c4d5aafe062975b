// `tektra generate`: continue a prompt with a GGUF model, streaming the text.
#include <fmt/core.h>

#include <csignal>

#include "app/commands.h"
#include "llm/generator.h"

namespace tektra {
namespace {

// Ctrl+C stops generation after the current token instead of killing the process.
CancellationToken* interrupt_target = nullptr;
extern "C" void on_interrupt(int) {
  if (interrupt_target) interrupt_target->cancel();
}

}  // namespace

void add_generate_command(CLI::App& app, GlobalOptions&) {
  auto* cmd = app.add_subcommand("generate", "continue a prompt with a GGUF language model");
  struct Options {
    std::string model;
    std::string prompt;
    int threads = 0;
    int64_t n_ctx = 0;
    bool no_bos = false;
    bool parse_special = false;
    llm::GenerateOptions generate;
  };
  auto o = std::make_shared<Options>();
  o->generate.max_tokens = 128;
  llm::SamplingParams& s = o->generate.sampling;
  cmd->add_option("-m,--model", o->model, "GGUF model file")->required();
  cmd->add_option("-p,--prompt", o->prompt, "text to continue")->required();
  cmd->add_option("-n,--max-tokens", o->generate.max_tokens, "tokens to generate")
      ->check(CLI::Range(0, 1 << 20));
  cmd->add_option("--temp", s.temperature, "temperature; 0 is greedy")->check(CLI::Range(0.0, 5.0));
  cmd->add_option("--top-k", s.top_k, "keep the k likeliest tokens (0: off)")
      ->check(CLI::Range(0, 1 << 30));
  cmd->add_option("--top-p", s.top_p, "nucleus sampling (1: off)")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--min-p", s.min_p, "drop tokens below min-p x the likeliest (0: off)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--repeat-penalty", s.repeat_penalty, "penalty for recent tokens (1: off)")
      ->check(CLI::Range(0.01, 100.0));
  cmd->add_option("--frequency-penalty", s.frequency_penalty, "penalty per recent occurrence");
  cmd->add_option("--presence-penalty", s.presence_penalty, "penalty for any recent occurrence");
  cmd->add_option("--seed", s.seed, "random seed (0: random)");
  cmd->add_option("--stop", o->generate.stop, "stop before this text (repeatable)");
  cmd->add_option("-t,--threads", o->threads, "compute threads (0: all cores)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("-c,--ctx", o->n_ctx, "context length (0: the model's, at most 4096)");
  cmd->add_flag("--no-bos", o->no_bos, "do not add the model's BOS token");
  cmd->add_flag("--parse-special", o->parse_special,
                "recognise special-token texts such as <|im_start|> in the prompt");
  cmd->add_flag_callback(
      "--json", [o] { o->generate.format = llm::ResponseFormat::JsonObject; },
      "constrain the text to one JSON object, ending right after it");
  cmd->callback([o] {
    auto model = llm::Model::load(o->model);
    const llm::Tokenizer tokenizer = llm::Tokenizer::from_gguf(model->file());
    llm::Context context(model, {.n_ctx = o->n_ctx, .threads = o->threads});
    const auto prompt = tokenizer.encode(o->prompt, !o->no_bos, o->parse_special);

    CancellationToken cancel;
    interrupt_target = &cancel;
    auto previous = std::signal(SIGINT, on_interrupt);
    fmt::print("{}", o->prompt);
    std::fflush(stdout);
    const llm::Generation g = llm::generate(
        context, tokenizer, prompt, o->generate,
        [](std::string_view text) {
          fmt::print("{}", text);
          std::fflush(stdout);
          return true;
        },
        cancel);
    std::signal(SIGINT, previous);
    interrupt_target = nullptr;
    fmt::print("\n");
    fmt::print(stderr,
               "\nprompt: {} tokens in {:.0f} ms ({:.1f} tokens/s); generated: {} tokens in {:.0f} "
               "ms ({:.1f} tokens/s); finish: {}; seed {}; {} threads\n",
               g.prompt_tokens, g.prompt_seconds * 1e3,
               g.prompt_tokens / std::max(g.prompt_seconds, 1e-9), g.tokens.size(),
               g.generation_seconds * 1e3,
               static_cast<double>(g.tokens.size()) / std::max(g.generation_seconds, 1e-9),
               llm::finish_reason_name(g.finish), g.seed, context.threads());
  });
}

}  // namespace tektra
