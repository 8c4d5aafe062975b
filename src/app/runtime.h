// Builds and owns every long-lived part of a Tektra process from a Config: store, engines, agent,
// thread pools. Shared by `serve`, `chat`, `bench` and the integration tests.
#pragma once

#include <memory>

#include "agent/agent.h"
#include "core/config.h"
#include "core/event_bus.h"
#include "core/metrics.h"
#include "core/thread_pool.h"
#include "core/timer_queue.h"
#include "llm/remote_engine.h"
#include "server/server.h"
#include "store/store.h"
#include "stt/stt.h"
#include "tts/tts.h"

namespace tektra {

// Makes the recogniser search the intent grammar first; logs and carries on without it when the
// grammar is unusable (a user template word missing from the pronunciation dictionary).
void install_intent_grammar(SpeechRecognizer& recognizer, const std::string& jsgf);

class Runtime {
 public:
  // Throws Error with a clear code when an engine or the database cannot start.
  explicit Runtime(Config config);
  ~Runtime();

  const Config& config() const { return services_->config; }
  ServerServices& services() { return *services_; }
  Agent& agent() { return *agent_; }
  Store& store() { return *store_; }
  SpeechRecognizer& recognizer() { return *recognizer_; }
  VoiceCatalog& voices() { return voices_; }
  llm::LocalEngine* llm() { return llm_.get(); }
  // The language model the agent talks to: the remote one when llm.url is set, else the local
  // one; null when there is none.
  llm::ChatEngine* chat_engine();

 private:
  // Declaration order is teardown order reversed: the pools and timers stop before what they use.
  EventBus bus_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<llm::LocalEngine> llm_;
  std::unique_ptr<llm::RemoteEngine> remote_;
  std::unique_ptr<Agent> agent_;
  std::unique_ptr<SpeechRecognizer> recognizer_;
  VoiceCatalog voices_;
  TimerQueue timers_;
  ThreadPool pool_;
  ThreadPool replies_;
  std::unique_ptr<ServerServices> services_;
};

}  // namespace tektra
