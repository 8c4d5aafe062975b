#include "llm/local_engine.h"

#include <algorithm>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/ids.h"
#include "llm/tool_prompt.h"

namespace tektra::llm {

LocalEngine::LocalEngine(const LocalEngineOptions& options)
    : name_(options.model.stem().string()),
      model_(Model::load(options.model)),
      tokenizer_(std::make_shared<Tokenizer>(Tokenizer::from_gguf(model_->file()))) {
  const int64_t n_ctx = std::min<int64_t>(options.n_ctx, model_->config().n_ctx_train);
  scheduler_ = std::make_unique<Scheduler>(
      model_, tokenizer_,
      SchedulerOptions{.slots = options.slots, .n_ctx = n_ctx, .threads = options.threads});
  try {
    chat_template_ = ChatTemplate::from_gguf(model_->file());
  } catch (const Error& e) {
    template_error_ = e.what();  // completions still work; chat requests get this error
  }
}

std::vector<Token> LocalEngine::chat_prompt(ChatTemplateInputs inputs) const {
  if (!chat_template_) throw Error("invalid_template", template_error_);
  inputs = with_tools_in_prompt(std::move(inputs), chat_template_->caps());
  const Tokenizer& t = *tokenizer_;
  if (t.bos() != kNoToken) inputs.bos_token = std::string(t.piece(t.bos()));
  if (t.eos() != kNoToken) inputs.eos_token = std::string(t.piece(t.eos()));
  std::string text = chat_template_->render(inputs);
  // The template may print BOS itself; tokenizing adds it when the model wants one.
  if (t.adds_bos() && !inputs.bos_token.empty() && text.starts_with(inputs.bos_token))
    text.erase(0, inputs.bos_token.size());
  return t.encode(text, /*add_special=*/true, /*parse_special=*/true);
}

ToolCallFormat LocalEngine::tool_call_format() const {
  return chat_template_ ? offered_tool_call_format(chat_template_->caps(), chat_template_->source())
                        : ToolCallFormat::None;
}

namespace {

ChatTemplateInputs template_inputs(const ChatRequest& request) {
  ChatTemplateInputs inputs;
  inputs.messages = request.messages;
  if (request.tools.is_array() && !request.tools.empty()) inputs.tools = request.tools;
  return inputs;
}

// Text handed from the scheduler's thread to the caller's, so a slow consumer never stalls the
// batch other generations share.
class TextChannel {
 public:
  void push(std::string_view text) {
    std::lock_guard lock(mutex_);
    pending_ += text;
    ready_.notify_one();
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    ready_.notify_one();
  }
  // Everything pushed since the last call, waiting for some; nullopt once closed and empty.
  std::optional<std::string> pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !pending_.empty() || closed_; });
    if (pending_.empty()) return std::nullopt;
    return std::exchange(pending_, "");
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::string pending_;
  bool closed_ = false;
};

}  // namespace

int64_t LocalEngine::prompt_tokens(const ChatRequest& request) const {
  return static_cast<int64_t>(chat_prompt(template_inputs(request)).size());
}

ChatReply LocalEngine::chat(const ChatRequest& request, const ContentCallback& on_content,
                            const CancellationToken& cancel) {
  GenerationRequest r;
  r.prompt = chat_prompt(template_inputs(request));
  r.options = request.options;
  if (r.options.max_tokens <= 0)
    r.options.max_tokens =
        static_cast<int>(std::max<int64_t>(n_ctx() - static_cast<int64_t>(r.prompt.size()), 1));
  const ToolCallFormat format = request.tools.is_array() && !request.tools.empty()
                                    ? tool_call_format()
                                    : ToolCallFormat::None;
  ToolCallStream calls(format, ParseOptions{.id_seed = random_u64()});
  auto channel = std::make_shared<TextChannel>();
  CancellationToken stop_reading;  // the consumer wants no more
  r.cancel = cancel;
  r.on_text = [channel, stop_reading](std::string_view text) {
    channel->push(text);
    return !stop_reading.cancelled();
  };
  std::future<Generation> pending = scheduler_->submit(std::move(r));
  // The scheduler closes nothing, so a helper waits for the generation and closes the channel.
  std::thread closer([&pending, channel] {
    pending.wait();
    channel->close();
  });
  bool consumer_stopped = false;
  try {
    while (auto text = channel->pop()) {
      if (consumer_stopped) continue;
      const std::string content = calls.push(*text);
      if (!content.empty() && on_content && !on_content(content)) {
        consumer_stopped = true;
        stop_reading.cancel();
      }
    }
  } catch (...) {
    stop_reading.cancel();
    while (channel->pop()) {
    }
    closer.join();
    throw;
  }
  closer.join();
  Generation g = pending.get();
  ChatReply reply;
  if (const std::string rest = calls.flush();
      !rest.empty() && on_content && !consumer_stopped && g.finish != FinishReason::Cancelled)
    on_content(rest);
  ParsedReply parsed = calls.finish();
  reply.content = std::move(parsed.content);
  reply.reasoning = std::move(parsed.reasoning);
  reply.tool_calls = std::move(parsed.tool_calls);
  reply.tool_call_errors = std::move(parsed.errors);
  reply.finish = g.finish;
  reply.prompt_tokens = g.prompt_tokens;
  reply.completion_tokens = static_cast<int>(g.tokens.size());
  reply.first_token_seconds = g.first_token_seconds;
  reply.total_seconds = g.first_token_seconds + g.generation_seconds;
  return reply;
}

std::unique_ptr<LocalEngine> load_first_model(const std::filesystem::path& dir,
                                              LocalEngineOptions options) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".gguf")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    try {
      options.model = f;
      return std::make_unique<LocalEngine>(options);
    } catch (const Error&) {
      // Not a model this engine runs: try the next file.
    }
  }
  return nullptr;
}

}  // namespace tektra::llm
