// Bad input on the Realtime WebSocket: each gets its documented error event and the connection
// stays usable.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "server/realtime_test_util.h"
#include "support/http_client.h"
#include "support/speech.h"
#include "support/test_server.h"

namespace tektra::test {
namespace {

using nlohmann::json;

// Waits for the next error event and checks its code, shape and (when given) the echoed event_id.
json expect_error(RealtimeClient& client, const std::string& code, const json& event_id = nullptr) {
  auto e = client.wait_for("error", 15s);
  if (!e) {
    ADD_FAILURE() << "no error event; expected " << code;
    return json::object();
  }
  const json& error = (*e)["error"];
  EXPECT_EQ(error.value("code", ""), code) << e->dump();
  EXPECT_EQ(error.value("type", ""), "invalid_request_error") << e->dump();
  EXPECT_FALSE(error.value("message", "").empty()) << e->dump();
  if (!event_id.is_null()) {
    EXPECT_EQ(error.value("event_id", json()), event_id)
        << "the error does not echo the client's event_id: " << e->dump();
  }
  return *e;
}

// A session.update round trip on the same connection.
void expect_session_update_works(RealtimeClient& client, const std::string& tag) {
  client.send({{"type", "session.update"},
               {"event_id", tag},
               {"session", {{"instructions", "be brief " + tag}}}});
  for (;;) {
    auto updated = client.wait_for("session.updated", 15s);
    ASSERT_TRUE(updated) << "no session.updated after the error (" << tag << ")";
    if ((*updated).value("event_id_ack", json()) != tag) continue;
    EXPECT_EQ((*updated)["session"]["instructions"], "be brief " + tag);
    return;
  }
}

// A typed question answered with a completed, spoken response on the same connection.
void expect_typed_turn_works(RealtimeClient& client) {
  client.send(user_text_event("what is 12 times 7"));
  client.send({{"type", "response.create"}});
  auto done = client.wait_for("response.done", 30s);
  ASSERT_TRUE(done) << "no response after the error";
  EXPECT_EQ((*done)["response"]["status"], "completed") << done->dump();
  std::string said = (*done)["response"]["output"][0]["content"][0]["transcript"];
  EXPECT_NE(said.find("84"), std::string::npos) << said;
}

size_t error_count(const RealtimeClient& client) {
  return events_of(client, "error").size();
}

class RealtimeErrors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new TestServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    client_ = std::make_unique<RealtimeClient>("127.0.0.1", server_->port());
    ASSERT_TRUE(client_->wait_for("session.created", 15s));
  }
  RealtimeClient& client() { return *client_; }
  VoiceCatalog& voices() { return server_->runtime().voices(); }

  static TestServer* server_;
  std::unique_ptr<RealtimeClient> client_;
};
TestServer* RealtimeErrors::server_ = nullptr;

TEST_F(RealtimeErrors, MalformedJson) {
  client().send_text("{\"type\": \"session.update\", ");
  expect_error(client(), "invalid_json");
  expect_typed_turn_works(client());
  EXPECT_EQ(error_count(client()), 1u);
}

TEST_F(RealtimeErrors, NotAnEventObject) {
  client().send_text("[1, 2, 3]");
  expect_error(client(), "invalid_event");
  expect_session_update_works(client(), "after-array");
  client().send({{"event_id", "evt_no_type"}, {"session", json::object()}});
  expect_error(client(), "invalid_event", "evt_no_type");
  expect_session_update_works(client(), "after-missing-type");
  client().send({{"event_id", "evt_number_type"}, {"type", 5}});
  expect_error(client(), "invalid_event", "evt_number_type");
  expect_typed_turn_works(client());
  EXPECT_EQ(error_count(client()), 3u);
}

TEST_F(RealtimeErrors, UnknownEventType) {
  client().send({{"type", "conversation.item.explode"}, {"event_id", "evt_unknown"}});
  expect_error(client(), "unknown_event_type", "evt_unknown");
  expect_typed_turn_works(client());
}

// Manual turns keep the check on the append path itself (whole-utterance recognition of the
// committed buffer), independent of voice activity detection.
void use_manual_16k_input(RealtimeClient& client) {
  client.send({{"type", "session.update"},
               {"session",
                {{"turn_detection", nullptr},
                 {"input_audio_format", {{"type", "audio/pcm"}, {"rate", 16000}}}}}});
  ASSERT_TRUE(client.wait_for("session.updated", 15s));
}

void append_and_commit(RealtimeClient& client, const std::vector<int16_t>& pcm) {
  for (size_t pos = 0; pos < pcm.size(); pos += 1600) {
    client.send(append_event(
        std::span<const int16_t>(pcm).subspan(pos, std::min<size_t>(1600, pcm.size() - pos))));
  }
  client.send({{"type", "input_audio_buffer.commit"}});
}

TEST_F(RealtimeErrors, BadAudioAppendsLeaveTheAudioPathIntact) {
  use_manual_16k_input(client());
  client().send({{"type", "input_audio_buffer.append"},
                 {"event_id", "evt_b64"},
                 {"audio", "@@ not base64 @@"}});
  expect_error(client(), "invalid_base64", "evt_b64");

  AudioBuffer tone;
  tone.samples.assign(1600, 1000);
  auto wav = encode_wav(tone);
  client().send({{"type", "input_audio_buffer.append"},
                 {"event_id", "evt_wav"},
                 {"audio", base64_encode(wav)}});
  expect_error(client(), "invalid_audio_format", "evt_wav");

  const uint8_t odd[3] = {1, 2, 3};
  client().send({{"type", "input_audio_buffer.append"},
                 {"event_id", "evt_odd"},
                 {"audio", base64_encode(odd)}});
  expect_error(client(), "invalid_audio_format", "evt_odd");

  client().send({{"type", "input_audio_buffer.append"}, {"event_id", "evt_no_audio"}});
  expect_error(client(), "invalid_event", "evt_no_audio");
  client().send(
      {{"type", "input_audio_buffer.append"}, {"event_id", "evt_audio_number"}, {"audio", 12}});
  expect_error(client(), "invalid_event", "evt_audio_number");

  // None of it reached the audio buffer (not even the odd byte, which would misalign every
  // sample after it): speech sent now is transcribed cleanly.
  append_and_commit(client(), spoken(voices(), "what time is it"));
  auto completed = client().wait_for("conversation.item.input_audio_transcription.completed", 30s);
  ASSERT_TRUE(completed);
  EXPECT_EQ((*completed)["transcript"], "what time is it");
  EXPECT_EQ(error_count(client()), 5u);
}

TEST_F(RealtimeErrors, MessageOverTheSizeLimit) {
  ASSERT_EQ(server_->runtime().config().server.max_message_bytes, 4u * 1024 * 1024);
  std::string big =
      "{\"type\":\"input_audio_buffer.append\",\"event_id\":\"evt_big\",\"audio\":\"" +
      std::string(5 * 1024 * 1024, 'A') + "\"}";
  client().send_text(std::move(big));
  expect_error(client(), "message_too_large");
  expect_typed_turn_works(client());
  EXPECT_FALSE(client().closed());
}

TEST_F(RealtimeErrors, BinaryFrame) {
  client().send_binary(std::string("\x01\x02\x03\x04", 4));
  expect_error(client(), "binary_not_supported");
  expect_typed_turn_works(client());
}

TEST_F(RealtimeErrors, EmptyTextItem) {
  json blank = user_text_event("   ");
  blank["event_id"] = "evt_blank";
  client().send(blank);
  expect_error(client(), "empty_text", "evt_blank");
  client().send({{"type", "conversation.item.create"},
                 {"event_id", "evt_no_content"},
                 {"item", {{"type", "message"}, {"role", "user"}}}});
  expect_error(client(), "empty_text", "evt_no_content");
  EXPECT_TRUE(events_of(client(), "conversation.item.added").empty())
      << "a rejected item was added";
  expect_typed_turn_works(client());
}

TEST_F(RealtimeErrors, UnknownVoiceChangesNothing) {
  client().send(
      {{"type", "session.update"}, {"event_id", "evt_voice"}, {"session", {{"voice", "nobody"}}}});
  json error = expect_error(client(), "unknown_voice", "evt_voice");
  std::string message = error.value("error", json::object()).value("message", "");
  EXPECT_NE(message.find("kal"), std::string::npos)
      << "the message should list the voices: " << message;
  client().send(
      {{"type", "session.update"}, {"event_id", "evt_kal"}, {"session", {{"voice", "kal"}}}});
  auto updated = client().wait_for("session.updated", 15s);
  ASSERT_TRUE(updated);
  // Events leave in order, so the first session.updated after the bad update answers the good one.
  EXPECT_EQ((*updated)["event_id_ack"], "evt_kal")
      << "session.updated was sent for the rejected update";
  EXPECT_EQ((*updated)["session"]["voice"], "kal");
  EXPECT_EQ((*updated)["session"]["audio"]["output"]["voice"], "kal");
  EXPECT_EQ(events_of(client(), "session.updated").size(), 1u);
}

TEST_F(RealtimeErrors, InvalidSessionValuesChangeNothing) {
  auto update = [&](const std::string& id, const json& session) {
    client().send({{"type", "session.update"}, {"event_id", id}, {"session", session}});
  };
  update("evt_format", {{"instructions", "changed"}, {"input_audio_format", "mp3"}});
  expect_error(client(), "invalid_value", "evt_format");
  update("evt_ga_rate",
         {{"audio", {{"input", {{"format", {{"type", "audio/pcm"}, {"rate", 44100}}}}}}}});
  expect_error(client(), "invalid_value", "evt_ga_rate");
  update("evt_turn", {{"turn_detection", {{"type", "semantic_vad"}}}});
  expect_error(client(), "invalid_value", "evt_turn");
  update("evt_threshold", {{"turn_detection", {{"type", "server_vad"}, {"threshold", 1.5}}}});
  expect_error(client(), "invalid_value", "evt_threshold");
  update("evt_speed", {{"speed", 9}});
  expect_error(client(), "invalid_value", "evt_speed");
  update("evt_noise", {{"input_audio_noise_reduction", {{"type", "underwater"}}}});
  expect_error(client(), "invalid_value", "evt_noise");
  update("evt_ga_noise", {{"audio", {{"input", {{"noise_reduction", "on"}}}}}});
  expect_error(client(), "invalid_value", "evt_ga_noise");
  update("evt_echo", {{"tektra", {{"echo_cancellation", "yes"}}}});
  expect_error(client(), "invalid_value", "evt_echo");
  EXPECT_TRUE(events_of(client(), "session.updated").empty());

  update("evt_empty", json::object());
  auto updated = client().wait_for("session.updated", 15s);
  ASSERT_TRUE(updated);
  EXPECT_EQ((*updated)["event_id_ack"], "evt_empty");
  const json& session = (*updated)["session"];
  EXPECT_NE(session["instructions"], "changed") << "a rejected update was partly applied";
  EXPECT_EQ(session["input_audio_format"], "pcm16");
  EXPECT_EQ(session["audio"]["input"]["format"]["rate"], 24000);
  EXPECT_EQ(session["turn_detection"]["type"], "server_vad");
  EXPECT_DOUBLE_EQ(session["turn_detection"]["threshold"].get<double>(),
                   server_->runtime().config().vad.threshold);
  EXPECT_DOUBLE_EQ(session["speed"].get<double>(), 1.0);
  expect_typed_turn_works(client());
}

TEST_F(RealtimeErrors, NoiseReductionAndEchoCancellationAreSessionSettings) {
  client().send({{"type", "session.update"}, {"session", json::object()}});
  auto current = client().wait_for("session.updated", 15s);
  ASSERT_TRUE(current);
  json session = (*current)["session"];
  EXPECT_TRUE(session["input_audio_noise_reduction"].is_null()) << session.dump();
  EXPECT_EQ(session["tektra"]["echo_cancellation"], true);

  client().send({{"type", "session.update"},
                 {"session",
                  {{"input_audio_noise_reduction", {{"type", "far_field"}}},
                   {"tektra", {{"echo_cancellation", false}}}}}});
  auto updated = client().wait_for("session.updated", 15s);
  ASSERT_TRUE(updated);
  session = (*updated)["session"];
  EXPECT_EQ(session["input_audio_noise_reduction"]["type"], "far_field");
  EXPECT_EQ(session["audio"]["input"]["noise_reduction"]["type"], "far_field");
  EXPECT_EQ(session["tektra"]["echo_cancellation"], false);

  client().send({{"type", "session.update"},
                 {"session", {{"audio", {{"input", {{"noise_reduction", nullptr}}}}}}}});
  updated = client().wait_for("session.updated", 15s);
  ASSERT_TRUE(updated);
  EXPECT_TRUE((*updated)["session"]["input_audio_noise_reduction"].is_null());
  expect_typed_turn_works(client());
}

TEST_F(RealtimeErrors, CommitWithEmptyBufferInManualMode) {
  use_manual_16k_input(client());
  client().send({{"type", "input_audio_buffer.commit"}, {"event_id", "evt_commit"}});
  expect_error(client(), "input_audio_buffer_commit_empty", "evt_commit");

  // Manual turns still work afterwards.
  append_and_commit(client(), spoken(voices(), "what time is it"));
  auto completed = client().wait_for("conversation.item.input_audio_transcription.completed", 30s);
  ASSERT_TRUE(completed);
  EXPECT_EQ((*completed)["transcript"], "what time is it");
  EXPECT_EQ(error_count(client()), 1u);
}

TEST_F(RealtimeErrors, CancelWithNothingActive) {
  client().send({{"type", "response.cancel"}, {"event_id", "evt_cancel"}});
  expect_error(client(), "response_cancel_not_active", "evt_cancel");
  expect_typed_turn_works(client());
}

TEST_F(RealtimeErrors, ResponseWithoutUserInput) {
  client().send({{"type", "response.create"}, {"event_id", "evt_nothing"}});
  expect_error(client(), "no_user_input", "evt_nothing");
  EXPECT_TRUE(events_of(client(), "response.created").empty());
  expect_typed_turn_works(client());
  // The input has been answered: asking again has nothing to answer.
  client().send({{"type", "response.create"}, {"event_id", "evt_again"}});
  expect_error(client(), "no_user_input", "evt_again");
}

TEST_F(RealtimeErrors, TruncateOfAnUnknownItem) {
  client().send({{"type", "conversation.item.truncate"},
                 {"event_id", "evt_truncate"},
                 {"item_id", "item_does_not_exist"},
                 {"content_index", 0},
                 {"audio_end_ms", 100}});
  expect_error(client(), "item_not_found", "evt_truncate");
  client().send(
      {{"type", "conversation.item.truncate"}, {"event_id", "evt_truncate_bad"}, {"item_id", "x"}});
  expect_error(client(), "invalid_event", "evt_truncate_bad");
  expect_typed_turn_works(client());
}

TEST_F(RealtimeErrors, BetaHeaderSelectsBetaEventNames) {
  RealtimeClient beta("127.0.0.1", server_->port(), "/v1/realtime",
                      {{"OpenAI-Beta", "realtime=v1"}});
  ASSERT_TRUE(beta.wait_for("session.created", 15s));
  beta.send(user_text_event("what is 12 times 7"));
  beta.send({{"type", "response.create"}});
  ASSERT_TRUE(beta.wait_for("response.done", 30s));
  EXPECT_FALSE(events_of(beta, "response.audio.delta").empty());
  EXPECT_FALSE(events_of(beta, "response.audio_transcript.delta").empty());
  EXPECT_FALSE(events_of(beta, "response.text.delta").empty());
  EXPECT_FALSE(events_of(beta, "conversation.item.created").empty());
  for (const char* ga : {"response.output_audio.delta", "response.output_audio_transcript.delta",
                         "response.output_text.delta", "conversation.item.added"}) {
    EXPECT_TRUE(events_of(beta, ga).empty()) << ga;
  }
  // Without the header the same turn uses GA names.
  expect_typed_turn_works(client());
  EXPECT_FALSE(events_of(client(), "response.output_audio.delta").empty());
  EXPECT_TRUE(events_of(client(), "response.audio.delta").empty());
}

// Opens a WebSocket by hand, so the test can drop the TCP connection without a close handshake.
class RawWebSocket {
 public:
  explicit RawWebSocket(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("connect failed");
    }
    timeval timeout{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    write(
        "GET /v1/realtime HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: "
        "Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  }
  ~RawWebSocket() { abort(); }

  void send_text(const std::string& text) {
    std::string frame = "\x81";
    if (text.size() < 126) {
      frame += static_cast<char>(0x80 | text.size());
    } else {
      frame += static_cast<char>(0x80 | 126);
      frame += static_cast<char>((text.size() >> 8) & 0xff);
      frame += static_cast<char>(text.size() & 0xff);
    }
    const char mask[4] = {0x12, 0x34, 0x56, 0x78};
    frame.append(mask, 4);
    for (size_t i = 0; i < text.size(); ++i) frame += static_cast<char>(text[i] ^ mask[i % 4]);
    write(frame);
  }

  // Reads until `needle` appears in the raw stream (frames unparsed) or the socket times out.
  bool read_until(const std::string& needle) {
    char buffer[65536];
    while (received_.find(needle) == std::string::npos) {
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return false;
      received_.append(buffer, static_cast<size_t>(n));
    }
    return true;
  }

  // Drops the connection with a TCP reset: no WebSocket close frame, no FIN handshake.
  void abort() {
    if (fd_ < 0) return;
    linger hard{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    ::close(fd_);
    fd_ = -1;
  }

 private:
  void write(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      sent += static_cast<size_t>(n);
    }
  }

  int fd_ = -1;
  std::string received_;
};

// Polls /readyz until no voice session is open (the ones of this test's fixture aside).
bool sessions_drop_to(uint16_t port, int wanted) {
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto ready = json::parse(http_request(port, "GET", "/readyz").body, nullptr, false);
    if (!ready.is_discarded() && ready.value("sessions", -1) == wanted) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

TEST_F(RealtimeErrors, ClientDisconnectingMidResponseDoesNotHurtTheServer) {
  const uint16_t port = server_->port();
  {
    RealtimeClient leaving("127.0.0.1", port);
    ASSERT_TRUE(leaving.wait_for("session.created", 15s));
    leaving.send(user_text_event("help"));
    leaving.send({{"type", "response.create"}});
    ASSERT_TRUE(leaving.wait_for("response.output_audio.delta", 30s));
  }  // closes politely in the middle of the reply
  {
    RawWebSocket dropped(port);
    ASSERT_TRUE(dropped.read_until("session.created"));
    dropped.send_text(user_text_event("help").dump());
    dropped.send_text(json{{"type", "response.create"}}.dump());
    ASSERT_TRUE(dropped.read_until("response.output_audio.delta"));
    dropped.abort();
  }
  EXPECT_TRUE(sessions_drop_to(port, 1)) << "the abandoned sessions were never closed";
  EXPECT_EQ(http_request(port, "GET", "/healthz").status, 200);
  expect_typed_turn_works(client());
}

TEST(RealtimeLimits, TooManySessionsIsRefusedAndTheSocketClosed) {
  TestServer server([](Config& c) { c.server.max_sessions = 2; });
  auto first = std::make_unique<RealtimeClient>("127.0.0.1", server.port());
  RealtimeClient second("127.0.0.1", server.port());
  ASSERT_TRUE(first->wait_for("session.created", 15s));
  ASSERT_TRUE(second.wait_for("session.created", 15s));

  RealtimeClient third("127.0.0.1", server.port());
  auto error = third.wait_for("error", 15s);
  ASSERT_TRUE(error);
  EXPECT_EQ((*error)["error"]["code"], "too_many_sessions");
  EXPECT_EQ(third.next(15s), std::nullopt);  // nothing else: the server closes the socket
  EXPECT_TRUE(third.closed());
  EXPECT_NE(third.close_reason().find("1013"), std::string::npos) << third.close_reason();
  EXPECT_TRUE(events_of(third, "session.created").empty());

  // The refused connection does not hold a slot; closing a session frees one.
  EXPECT_TRUE(sessions_drop_to(server.port(), 2));
  first.reset();
  ASSERT_TRUE(sessions_drop_to(server.port(), 1));
  RealtimeClient fourth("127.0.0.1", server.port());
  ASSERT_TRUE(fourth.wait_for("session.created", 15s)) << "a freed slot was not reusable";
  expect_session_update_works(fourth, "fourth");
  EXPECT_TRUE(events_of(fourth, "error").empty());
  // The second session was unaffected throughout.
  expect_session_update_works(second, "second");
}

}  // namespace
}  // namespace tektra::test
