// Serves generations from one model to many callers at once (continuous batching). Each request
// takes a slot, a Sequence of its own; one thread advances every active slot in a shared forward
// pass per step: decoding slots one token each, prompts in chunks with what is left of the
// batch. Requests join and leave between steps, so a long generation never holds up a short one
// and the model's weights are read once per step for all of them.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "llm/batch_evaluator.h"
#include "llm/generator.h"
#include "llm/tokenizer.h"

namespace tektra::llm {

struct SchedulerOptions {
  int slots = 4;          // generations in flight; more requests wait in order
  int64_t n_ctx = 0;      // positions per slot; 0: the model's training context, at most 4096
  int64_t n_batch = 256;  // tokens per forward pass (at least `slots`)
  int threads = 0;        // compute threads; 0: one per hardware thread
};

struct GenerationRequest {
  std::vector<Token> prompt;
  GenerateOptions options;
  // Called on the scheduler's thread with each piece of text: keep it short (hand the text to
  // another thread). Returning false ends the generation as cancelled.
  TextCallback on_text;
  CancellationToken cancel;  // checked before every step of this request
};

struct SchedulerStats {
  int active = 0;  // slots generating
  int queued = 0;  // requests waiting for a slot
};

class Scheduler {
 public:
  Scheduler(std::shared_ptr<const Model> model, std::shared_ptr<const Tokenizer> tokenizer,
            SchedulerOptions options = {});
  // Stops the thread; generations in flight end as cancelled, queued ones fail with
  // Error("shutting_down").
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Queues a generation. The future gives its Generation, or the Error that refused it
  // ("empty_prompt", "context_full" when the prompt does not fit a slot).
  std::future<Generation> submit(GenerationRequest request);

  // Throws the Error submit() would refuse `prompt` with ("empty_prompt", "context_full").
  void check(const std::vector<Token>& prompt) const;

  SchedulerStats stats() const;
  const Model& model() const { return evaluator_.model(); }
  int64_t n_ctx() const { return evaluator_.n_ctx(); }

 private:
  struct Pending;
  struct Active;
  struct Slot;

  void run();
  void admit(std::unique_ptr<Pending> pending);
  void step();
  // Ends the slot's request with its generation, or with `error`, and frees the slot.
  void finish(Slot& slot, std::exception_ptr error = nullptr);

  BatchEvaluator evaluator_;
  std::shared_ptr<const Tokenizer> tokenizer_;
  // Built by the first constrained request, on its caller's thread rather than the batch's.
  std::once_flag constraint_once_;
  std::shared_ptr<const ConstraintVocab> constraint_vocab_;
  std::vector<Slot> slots_;
  std::vector<BatchItem> items_;
  std::vector<Slot*> item_slots_;  // the slot of each item that wants logits, in order
  std::vector<float> logits_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Pending>> queue_;
  int active_ = 0;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything it uses
};

}  // namespace tektra::llm
