// Shared helpers for Realtime WebSocket tests: streaming audio at real-time pace, collecting
// events.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <span>
#include <thread>
#include <vector>

#include "audio/codec.h"
#include "audio/resampler.h"
#include "audio/wav.h"
#include "core/base64.h"
#include "server/realtime_client.h"

namespace tektra::test {

using namespace std::chrono_literals;

inline nlohmann::json append_event(std::span<const int16_t> pcm) {
  return {{"type", "input_audio_buffer.append"},
          {"audio", base64_encode({reinterpret_cast<const uint8_t*>(pcm.data()), pcm.size() * 2})}};
}

// Sends 16 kHz PCM in 20 ms chunks at real-time pace (or `speedup` times faster).
inline void stream_pcm16k(RealtimeClient& client, std::span<const int16_t> pcm,
                          double speedup = 1.0) {
  constexpr size_t kChunk = 320;
  auto start = std::chrono::steady_clock::now();
  for (size_t pos = 0, i = 0; pos < pcm.size(); pos += kChunk, ++i) {
    std::this_thread::sleep_until(
        start + std::chrono::microseconds(static_cast<int64_t>(20000 * i / speedup)));
    client.send(append_event(pcm.subspan(pos, std::min(kChunk, pcm.size() - pos))));
  }
}

// conversation.item.create of a typed user message.
inline nlohmann::json user_text_event(const std::string& text) {
  return {{"type", "conversation.item.create"},
          {"item",
           {{"type", "message"},
            {"role", "user"},
            {"content", {{{"type", "input_text"}, {"text", text}}}}}}};
}

inline void use_16k_input(RealtimeClient& client) {
  ASSERT_TRUE(client.wait_for("session.created", 10s));
  client.send({{"type", "session.update"},
               {"session",
                {{"audio", {{"input", {{"format", {{"type", "audio/pcm"}, {"rate", 16000}}}}}}}}}});
  ASSERT_TRUE(client.wait_for("session.updated", 10s));
}

// Events of one type from the client's history.
inline std::vector<nlohmann::json> events_of(const RealtimeClient& client,
                                             const std::string& type) {
  std::vector<nlohmann::json> out;
  for (const auto& e : client.history()) {
    if (e.value("type", "") == type) out.push_back(e);
  }
  return out;
}

// Decoded samples of every output audio delta of `response_id`.
inline size_t audio_samples(const RealtimeClient& client, const std::string& response_id) {
  size_t n = 0;
  for (const auto& e : events_of(client, "response.output_audio.delta")) {
    if (e["response_id"] == response_id)
      n += base64_decode(e["delta"].get<std::string>())->size() / 2;
  }
  return n;
}

}  // namespace tektra::test
