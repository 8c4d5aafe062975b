// A small WebSocket client for the Realtime endpoint, used by tests and `tektra bench voice` to
// drive a real server over a real socket.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace tektra {

class RealtimeClient {
 public:
  // Connects and completes the WebSocket handshake. Throws Error("connect_failed").
  RealtimeClient(const std::string& host, uint16_t port, const std::string& target = "/v1/realtime",
                 const std::map<std::string, std::string>& headers = {});
  ~RealtimeClient();
  RealtimeClient(const RealtimeClient&) = delete;
  RealtimeClient& operator=(const RealtimeClient&) = delete;

  void send(const nlohmann::json& event);
  void send_text(std::string text);     // raw text frame (may be invalid JSON)
  void send_binary(std::string bytes);  // raw binary frame

  // Next server event in arrival order, or nullopt on timeout / after the server closed.
  std::optional<nlohmann::json> next(std::chrono::milliseconds timeout);
  // Skips events until one of `type` arrives; the skipped ones stay readable through history().
  std::optional<nlohmann::json> wait_for(const std::string& type,
                                         std::chrono::milliseconds timeout);
  std::vector<nlohmann::json> history() const;  // every event received so far
  bool closed() const;                          // the server closed the connection
  std::string close_reason() const;
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tektra
