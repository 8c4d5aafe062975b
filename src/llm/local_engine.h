// The native engine as a service: one GGUF model loaded once, its tokenizer, and a Scheduler
// that batches every caller's generations together.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "llm/chat_engine.h"
#include "llm/chat_template.h"
#include "llm/model.h"
#include "llm/scheduler.h"
#include "llm/tokenizer.h"

namespace tektra::llm {

struct LocalEngineOptions {
  std::filesystem::path model;
  int slots = 4;         // concurrent generations
  int64_t n_ctx = 4096;  // positions per generation (at most the model's training context)
  int threads = 0;       // 0: one per hardware thread
};

class LocalEngine : public ChatEngine {
 public:
  // Throws Error("model_not_found", "invalid_gguf", "unsupported_model", ...) naming the file.
  explicit LocalEngine(const LocalEngineOptions& options);

  // The model's id in the API: the file name without ".gguf".
  const std::string& name() const { return name_; }
  const Model& model() const { return *model_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }
  Scheduler& scheduler() { return *scheduler_; }
  int64_t n_ctx() const { return scheduler_->n_ctx(); }

  // The prompt of an OpenAI-shaped conversation as tokens, through the model's chat template (or
  // ChatML when the file has none); tools are described in the prompt when the template has no
  // place for them (tool_prompt.h). `bos_token`/`eos_token` are filled in from the vocabulary.
  // Throws Error("invalid_template") when the file's template cannot be parsed,
  // Error("template_error") or Error("invalid_messages") when it cannot render the conversation.
  std::vector<Token> chat_prompt(ChatTemplateInputs inputs) const;
  const ChatTemplate* chat_template() const { return chat_template_ ? &*chat_template_ : nullptr; }
  // The syntax the model's replies are read in when tools are offered: its template's family, or
  // Hermes when the template has no tool section (see tool_prompt.h).
  ToolCallFormat tool_call_format() const;

  std::string model_name() const override { return name_; }
  int64_t context_size() const override { return n_ctx(); }
  int64_t prompt_tokens(const ChatRequest& request) const override;
  ChatReply chat(const ChatRequest& request, const ContentCallback& on_content = {},
                 const CancellationToken& cancel = {}) override;

 private:
  std::string name_;
  std::shared_ptr<const Model> model_;
  std::shared_ptr<const Tokenizer> tokenizer_;
  std::unique_ptr<Scheduler> scheduler_;
  std::optional<ChatTemplate> chat_template_;
  std::string template_error_;  // why the file's template cannot be used, when it cannot
};

// The engine for the first GGUF file in `dir` (by name) that loads, skipping files that are not
// models this engine runs (vocabularies, unknown architectures); null when there is none.
std::unique_ptr<LocalEngine> load_first_model(const std::filesystem::path& dir,
                                              LocalEngineOptions options);

}  // namespace tektra::llm
