#include "llm/scheduler.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"

namespace tektra::llm {

struct Scheduler::Pending {
  GenerationRequest request;
  std::promise<Generation> promise;
};

// A request in a slot: the run keeps references into `request`, so both live here together.
struct Scheduler::Active {
  std::unique_ptr<Pending> pending;
  std::optional<GenerationRun> run;
  size_t next_prompt = 0;     // first prompt token not yet evaluated
  std::optional<Token> next;  // sampled, to be evaluated
};

struct Scheduler::Slot {
  Sequence sequence;
  std::unique_ptr<Active> active;
};

Scheduler::Scheduler(std::shared_ptr<const Model> model, std::shared_ptr<const Tokenizer> tokenizer,
                     SchedulerOptions options)
    : evaluator_(std::move(model),
                 {.n_ctx = options.n_ctx,
                  .n_batch = std::max<int64_t>(options.n_batch, std::max(options.slots, 1)),
                  .threads = options.threads}),
      tokenizer_(std::move(tokenizer)) {
  const int slots = std::max(options.slots, 1);
  slots_.reserve(static_cast<size_t>(slots));
  for (int i = 0; i < slots; ++i) slots_.push_back({evaluator_.make_sequence(), nullptr});
  items_.reserve(static_cast<size_t>(evaluator_.n_batch()));
  item_slots_.reserve(static_cast<size_t>(slots));
  logits_.resize(static_cast<size_t>(slots * evaluator_.model().config().n_vocab));
  thread_ = std::thread([this] { run(); });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  for (auto& pending : queue_)
    pending->promise.set_exception(
        std::make_exception_ptr(Error("shutting_down", "the model is being unloaded")));
}

std::future<Generation> Scheduler::submit(GenerationRequest request) {
  if (request.options.format != ResponseFormat::Text)
    std::call_once(constraint_once_, [&] {
      constraint_vocab_ = std::make_shared<const ConstraintVocab>(*tokenizer_);
    });
  auto pending = std::make_unique<Pending>();
  pending->request = std::move(request);
  auto future = pending->promise.get_future();
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(pending));
  }
  wake_.notify_all();
  return future;
}

void Scheduler::check(const std::vector<Token>& prompt) const {
  if (prompt.empty())
    throw Error("empty_prompt", "the prompt has no tokens (and the model adds no BOS token)");
  if (static_cast<int64_t>(prompt.size()) > evaluator_.n_ctx())
    throw Error("context_full", fmt::format("the prompt's {} tokens do not fit the {} positions of "
                                            "a slot",
                                            prompt.size(), evaluator_.n_ctx()));
}

SchedulerStats Scheduler::stats() const {
  std::lock_guard lock(mutex_);
  return {active_, static_cast<int>(queue_.size())};
}

void Scheduler::run() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty() || active_ > 0; });
      if (stopping_) break;
      while (!queue_.empty() && active_ < static_cast<int>(slots_.size())) {
        auto pending = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        admit(std::move(pending));
        lock.lock();
      }
    }
    step();
  }
  for (auto& slot : slots_)
    if (slot.active) {
      slot.active->pending->request.cancel.cancel();
      finish(slot);
    }
}

// Puts a request into the free slot whose cache shares the longest prefix with its prompt.
void Scheduler::admit(std::unique_ptr<Pending> pending) {
  auto active = std::make_unique<Active>();
  active->pending = std::move(pending);
  const GenerationRequest& r = active->pending->request;
  try {
    check(r.prompt);
    active->run.emplace(*tokenizer_, evaluator_.model().config().n_vocab, r.prompt, r.options,
                        r.on_text, r.cancel,
                        // Read only for requests that built it in submit(), before queueing.
                        r.options.format != ResponseFormat::Text ? constraint_vocab_ : nullptr);
  } catch (...) {
    active->pending->promise.set_exception(std::current_exception());
    return;
  }
  Slot* best = nullptr;
  size_t best_prefix = 0;
  for (auto& slot : slots_) {
    if (slot.active) continue;
    const size_t prefix = active->run->reusable_prefix(slot.sequence.tokens());
    if (!best || prefix > best_prefix) {
      best = &slot;
      best_prefix = prefix;
    }
  }
  best->sequence.truncate(static_cast<int64_t>(best_prefix));
  active->run->set_cached_tokens(best_prefix);
  active->next_prompt = best_prefix;
  best->active = std::move(active);
  std::lock_guard lock(mutex_);
  ++active_;
}

void Scheduler::finish(Slot& slot, std::exception_ptr error) {
  auto active = std::move(slot.active);
  {
    // Counted free before the caller hears the result, so it never sees its own slot busy.
    std::lock_guard lock(mutex_);
    --active_;
  }
  if (error)
    active->pending->promise.set_exception(error);
  else
    active->pending->promise.set_value(active->run->finish());
}

void Scheduler::step() {
  items_.clear();
  item_slots_.clear();
  const size_t budget = static_cast<size_t>(evaluator_.n_batch());
  // Decoding slots first, one token each; a full sequence drops the older half of what follows
  // its first token.
  for (auto& slot : slots_) {
    if (!slot.active || !slot.active->next) continue;
    if (slot.active->pending->request.cancel.cancelled()) {
      finish(slot);
      continue;
    }
    if (slot.sequence.n_past() >= slot.sequence.n_ctx())
      evaluator_.shift(slot.sequence, 1, (slot.sequence.n_past() - 1) / 2);
    items_.push_back({&slot.sequence, *slot.active->next, true});
    item_slots_.push_back(&slot);
  }
  // Then prompts, in chunks that fill the rest of the batch.
  for (auto& slot : slots_) {
    if (!slot.active || slot.active->next) continue;
    Active& a = *slot.active;
    if (a.pending->request.cancel.cancelled()) {
      finish(slot);
      continue;
    }
    const auto& prompt = a.pending->request.prompt;
    while (a.next_prompt < prompt.size() && items_.size() < budget) {
      const bool last = a.next_prompt + 1 == prompt.size();
      items_.push_back({&slot.sequence, prompt[a.next_prompt++], last});
      if (last) item_slots_.push_back(&slot);
    }
  }
  if (items_.empty()) return;
  try {
    evaluator_.evaluate(items_, logits_.data());
  } catch (...) {
    // Requests were checked on admission, so this is a bug or a resource failure: every slot in
    // the batch ends with the error rather than the thread.
    for (auto& slot : slots_)
      if (slot.active) finish(slot, std::current_exception());
    return;
  }
  const size_t n_vocab = static_cast<size_t>(evaluator_.model().config().n_vocab);
  for (size_t i = 0; i < item_slots_.size(); ++i) {
    Slot& slot = *item_slots_[i];
    slot.active->next = slot.active->run->next(std::span(logits_).subspan(i * n_vocab, n_vocab));
    if (!slot.active->next) finish(slot);
  }
}

}  // namespace tektra::llm
