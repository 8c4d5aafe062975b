// Tektra's network face: HTTP REST, OpenAI-compatible endpoints, the Realtime WebSocket and the
// built-in page, served with Boost.Beast on a few I/O threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "agent/agent.h"
#include "core/config.h"
#include "core/event_bus.h"
#include "core/metrics.h"
#include "core/thread_pool.h"
#include "core/timer_queue.h"
#include "llm/local_engine.h"
#include "pipeline/voice_session.h"
#include "store/store.h"
#include "stt/stt.h"
#include "tts/tts.h"

namespace tektra {

// Everything request handlers and voice sessions use; owned by the caller, outlives the Server.
struct ServerServices {
  Config config;
  Store& store;
  Agent& agent;
  SpeechRecognizer& recognizer;
  VoiceCatalog& voices;
  ThreadPool& pool;
  ThreadPool& replies;  // voice replies, which may wait on a language model for seconds
  TimerQueue& timers;
  EventBus& bus;
  MetricsRegistry& metrics;
  llm::LocalEngine* llm = nullptr;  // the language model, when one is loaded
  std::atomic<int> active_sessions{0};

  SessionServices session_services() {
    return SessionServices{agent,  recognizer, voices,  pool,      replies,
                           timers, bus,        metrics, config.vad};
  }
};

class Server {
 public:
  explicit Server(ServerServices& services);
  ~Server();  // stops and joins
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds config.server.host:port and starts the I/O threads. Throws Error("bind_failed").
  void start();
  uint16_t port() const;  // the bound port (useful with port 0)
  void stop();            // closes the listener and every connection
  void wait();            // blocks until stop() (or SIGINT/SIGTERM when handle_signals was set)
  void handle_signals();  // stop on SIGINT/SIGTERM

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tektra
