// A language model on another server: any OpenAI-compatible /v1/chat/completions (llama.cpp's
// server, vLLM, Ollama's /v1, another Tektra), streamed over Server-Sent Events. Connection
// failures are retried with backoff; a server that keeps failing trips a circuit breaker, and
// calls then fail at once with "engine_unavailable" (the agent answers from intents only) until a
// trial call after the cool-down succeeds.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "llm/chat_engine.h"

namespace tektra::llm {

struct RemoteEngineOptions {
  std::string url = {};      // http://host:port (a trailing /v1 is fine)
  std::string model = {};    // empty: the first model the server lists
  std::string api_key = {};  // sent as "Authorization: Bearer"; empty: none
  int64_t context_size = 4096;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds first_byte_timeout{60000};  // request sent -> response head
  std::chrono::milliseconds idle_timeout{30000};        // between streamed pieces
  int retries = 2;                                      // after the first attempt
  std::chrono::milliseconds backoff{200};               // doubled each retry, with jitter
  int breaker_failures = 3;
  std::chrono::milliseconds breaker_cooldown{15000};
};

class CircuitBreaker;

class RemoteEngine : public ChatEngine {
 public:
  // Throws Error("invalid_config") for a URL it cannot use. Does not touch the network.
  explicit RemoteEngine(RemoteEngineOptions options);
  ~RemoteEngine() override;

  std::string model_name() const override;
  int64_t context_size() const override { return options_.context_size; }
  // An estimate: a token per 3 bytes of the messages and tools as JSON, rounded up.
  int64_t prompt_tokens(const ChatRequest& request) const override;
  ChatReply chat(const ChatRequest& request, const ContentCallback& on_content = {},
                 const CancellationToken& cancel = {}) override;

  // GET /v1/models once: the ids the server lists. Throws Error("engine_unavailable").
  std::vector<std::string> list_models(std::chrono::milliseconds timeout) const;
  bool circuit_open() const;

 private:
  struct Endpoint;
  std::string resolved_model();

  RemoteEngineOptions options_;
  std::unique_ptr<Endpoint> endpoint_;
  std::unique_ptr<CircuitBreaker> breaker_;
  mutable std::mutex mutex_;
  std::string model_;  // options_.model, or what the server listed first
  bool model_asked_ = false;
};

}  // namespace tektra::llm
