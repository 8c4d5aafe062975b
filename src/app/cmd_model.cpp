// `tektra model info | tokenize | synth`: look inside GGUF models and make test models.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <map>

#include "app/commands.h"
#include "llm/model_config.h"
#include "llm/synth.h"
#include "llm/tokenizer.h"
#include "nn/gguf.h"

namespace tektra {
namespace {

std::string human_count(double n) {
  if (n >= 1e9) return fmt::format("{:.2f} B", n / 1e9);
  if (n >= 1e6) return fmt::format("{:.1f} M", n / 1e6);
  if (n >= 1e3) return fmt::format("{:.1f} K", n / 1e3);
  return fmt::format("{:.0f}", n);
}

void print_info(const std::string& path, bool list_tensors) {
  const nn::GgufFile file = nn::GgufFile::open(path);
  fmt::print("file:         {} ({:.1f} MiB, GGUF v{}, {} tensors, alignment {})\n", path,
             static_cast<double>(file.file_size()) / (1 << 20), file.version(),
             file.tensors().size(), file.alignment());
  fmt::print("name:         {}\n", file.get_string("general.name").value_or("(none)"));

  double parameters = 0;
  std::map<std::string, std::pair<int, size_t>> by_type;  // name -> (tensors, bytes)
  for (const auto& t : file.tensors()) {
    parameters += static_cast<double>(t.elements());
    auto& entry = by_type[std::string(nn::type_name(t.type))];
    ++entry.first;
    entry.second += t.bytes;
  }
  if (!file.tensors().empty()) {
    fmt::print("parameters:   {}\n", human_count(parameters));
    for (const auto& [type, entry] : by_type)
      fmt::print("  {:<6} {:>4} tensors {:>10.1f} MiB\n", type, entry.first,
                 static_cast<double>(entry.second) / (1 << 20));
  }

  try {
    const llm::ModelConfig c = llm::read_model_config(file);
    fmt::print("architecture: {}: {} layers, embedding {}, feed-forward {}\n", c.architecture_name,
               c.n_layer, c.n_embd, c.n_ff);
    fmt::print("attention:    {} heads ({} key/value), head size {}, trained context {}{}\n",
               c.n_head, c.n_head_kv, c.head_dim, c.n_ctx_train,
               c.n_swa ? fmt::format(", sliding window {}", c.n_swa) : "");
    fmt::print("rope:         {}, base {}, {} dims, scaling {} x{}\n",
               c.rope_style == llm::RopeStyle::Normal ? "normal" : "neox", c.rope_base, c.rope_dims,
               c.rope_scaling == llm::RopeScaling::None     ? "none"
               : c.rope_scaling == llm::RopeScaling::Linear ? "linear"
                                                            : "yarn",
               c.rope_scale_factor);
  } catch (const Error& e) {
    fmt::print("architecture: {} (cannot run: {})\n",
               file.get_string("general.architecture").value_or("(none)"), e.what());
  }

  try {
    const llm::Tokenizer tokenizer = llm::Tokenizer::from_gguf(file);
    fmt::print("tokenizer:    {} (pre {}), {} tokens, bos {}, eos {}\n", tokenizer.model(),
               tokenizer.pre().empty() ? "default" : tokenizer.pre(), tokenizer.size(),
               tokenizer.bos(), tokenizer.eos());
  } catch (const Error& e) {
    fmt::print("tokenizer:    (cannot use: {})\n", e.what());
  }

  if (auto tmpl = file.get_string("tokenizer.chat_template")) {
    fmt::print("chat template ({} chars):\n", tmpl->size());
    fmt::print("{}\n", tmpl->size() > 600 ? tmpl->substr(0, 600) + "\n..." : *tmpl);
  } else {
    fmt::print("chat template: (none)\n");
  }

  fmt::print("metadata:\n");
  for (const auto& m : file.metadata()) {
    if (m.key == "tokenizer.chat_template") continue;
    fmt::print("  {:<44} {}\n", m.key, m.value.describe());
  }
  if (list_tensors) {
    fmt::print("tensors:\n");
    for (const auto& t : file.tensors())
      fmt::print("  {:<36} {:<6} [{}] {:.2f} MiB\n", t.name, nn::type_name(t.type),
                 fmt::join(t.shape, ", "), static_cast<double>(t.bytes) / (1 << 20));
  }
}

void add_info(CLI::App& model) {
  auto* cmd = model.add_subcommand("info", "architecture, sizes, types, metadata, chat template");
  auto path = std::make_shared<std::string>();
  auto tensors = std::make_shared<bool>(false);
  cmd->add_option("file", *path, "GGUF model file")->required();
  cmd->add_flag("--tensors", *tensors, "list every tensor");
  cmd->callback([path, tensors] { print_info(*path, *tensors); });
}

void add_tokenize(CLI::App& model) {
  auto* cmd = model.add_subcommand("tokenize", "print the token ids of TEXT as a JSON array");
  struct Options {
    std::string model;
    std::string text;
    bool no_special = false;
    bool parse_special = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("-m,--model", o->model, "GGUF file with a tokenizer")->required();
  cmd->add_option("text", o->text, "text to tokenize")->required();
  cmd->add_flag("--no-bos", o->no_special, "do not add the model's BOS/EOS tokens");
  cmd->add_flag("--parse-special", o->parse_special,
                "recognise special-token texts such as <|im_start|>");
  cmd->callback([o] {
    const llm::Tokenizer tokenizer = llm::Tokenizer::from_gguf(nn::GgufFile::open(o->model));
    fmt::print("[{}]\n",
               fmt::join(tokenizer.encode(o->text, !o->no_special, o->parse_special), ", "));
  });
}

void add_synth(CLI::App& model) {
  auto* cmd = model.add_subcommand(
      "synth", "write a random-weight model of realistic shape (for tests and benchmarks)");
  struct Options {
    std::string arch = "llama";
    std::string type = "q4_0";
    std::string output;
    llm::SynthOptions synth;
    std::string vocab;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--arch", o->arch, "llama, qwen2, qwen3 or phi3")
      ->check(CLI::IsMember({"llama", "qwen2", "qwen3", "phi3"}));
  cmd->add_option("--preset", o->synth.preset, "tiny, 0.5b or 1b")
      ->check(CLI::IsMember({"tiny", "0.5b", "1b"}));
  cmd->add_option("--type", o->type, "weight type: f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q4_K ...");
  cmd->add_option("--vocab-from", o->vocab, "GGUF file whose tokenizer the model takes");
  cmd->add_option("--seed", o->synth.seed, "random seed");
  cmd->add_option("-o,--output", o->output, "GGUF file to write")->required();
  cmd->callback([o] {
    auto type = nn::parse_type(o->type);
    if (!type) throw Error("invalid_argument", fmt::format("unknown tensor type '{}'", o->type));
    o->synth.type = *type;
    for (auto a : {llm::Architecture::Llama, llm::Architecture::Qwen2, llm::Architecture::Qwen3,
                   llm::Architecture::Phi3})
      if (llm::architecture_name(a) == o->arch) o->synth.architecture = a;
    if (!o->vocab.empty()) o->synth.vocab_from = o->vocab;
    llm::synthesize_model(o->synth, o->output);
    fmt::print("wrote {} ({} {} {})\n", o->output, o->arch, o->synth.preset, nn::type_name(*type));
  });
}

}  // namespace

void add_model_command(CLI::App& app, GlobalOptions&) {
  auto* model = app.add_subcommand("model", "inspect GGUF models, tokenize, make test models");
  model->require_subcommand(1);
  add_info(*model);
  add_tokenize(*model);
  add_synth(*model);
}

}  // namespace tektra
