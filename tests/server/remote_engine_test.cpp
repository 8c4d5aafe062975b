// The remote engine: against a second, real Tektra process serving stories260K (the same text as
// the engine in-process, cancellation, the agent answering through it), and against small scripted
// servers on loopback for what a real one rarely does (tool-call deltas in pieces, errors, garbage,
// silence, refusal) and for the retries and the circuit breaker.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <regex>
#include <thread>

#include "agent/agent.h"
#include "app/child_process.h"
#include "llm/local_engine.h"
#include "llm/remote/circuit_breaker.h"
#include "llm/remote/http_connection.h"
#include "llm/remote/sse_reader.h"
#include "llm/remote_engine.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"
#include "support/thrown.h"

namespace tektra::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

llm::ChatRequest ask(const std::string& text, int max_tokens = 24) {
  llm::ChatRequest r;
  r.messages = ordered_json::array({{{"role", "user"}, {"content", text}}});
  r.options.max_tokens = max_tokens;
  r.options.sampling.temperature = 0.7f;
  r.options.sampling.seed = 42;
  return r;
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// --- a second Tektra ---------------------------------------------------------------------------

class SecondTektra : public ::testing::Test {
 protected:
  void SetUp() override {
    TEKTRA_REQUIRE_FIXTURE("stories260K.gguf");
    child_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{TEKTRA_BINARY, "serve", "--data-dir", data_.path().string(),
                                 "--port", "0", "--llm", fixture("stories260K.gguf").string(),
                                 "--set", "llm.slots=1", "--set", "llm.context=512", "--set",
                                 "llm.threads=1"},
        std::map<std::string, std::string>{{"HOME", home_.path().string()}},
        home_.path() / "serve.log");
    auto line = child_->read_line_containing("listening on http://", 90s);
    ASSERT_TRUE(line) << "the second tektra did not start";
    std::smatch m;
    ASSERT_TRUE(std::regex_search(*line, m, std::regex(":(\\d+)/")));
    url_ = "http://127.0.0.1:" + std::string(m[1]);
  }

  TempDir home_, data_;
  std::unique_ptr<ChildProcess> child_;
  std::string url_;
};

TEST_F(SecondTektra, StreamsWhatTheEngineWritesInProcess) {
  llm::RemoteEngine remote({.url = url_ + "/v1"});
  llm::LocalEngine local(
      {.model = fixture("stories260K.gguf"), .slots = 1, .n_ctx = 512, .threads = 1});
  const auto request = ask("Tell me a story about a frog.");
  std::string streamed;
  const llm::ChatReply reply = remote.chat(request, [&](std::string_view t) {
    streamed += t;
    return true;
  });
  const llm::ChatReply expected = local.chat(request);
  EXPECT_EQ(remote.model_name(), "stories260K");
  EXPECT_EQ(reply.content, expected.content);
  EXPECT_EQ(streamed, reply.content);
  EXPECT_EQ(reply.finish, llm::FinishReason::Length);
  EXPECT_EQ(reply.completion_tokens, 24);
  EXPECT_EQ(reply.prompt_tokens, expected.prompt_tokens);
  EXPECT_GT(reply.first_token_seconds, 0);
}

TEST_F(SecondTektra, ACancelEndsTheReplyAndFreesTheServersOnlySlot) {
  llm::RemoteEngine remote({.url = url_});
  CancellationToken cancel;
  std::string seen;
  const auto start = Clock::now();
  const llm::ChatReply reply = remote.chat(
      ask("Once upon a time", 400),
      [&](std::string_view t) {
        seen += t;
        if (seen.size() > 20) cancel.cancel();
        return true;
      },
      cancel);
  EXPECT_EQ(reply.finish, llm::FinishReason::Cancelled);
  EXPECT_LT(ms_since(start), 3000);
  // The server saw the connection close and freed its one slot: the next reply starts at once.
  const auto next = Clock::now();
  EXPECT_EQ(remote.chat(ask("Hi", 4)).finish, llm::FinishReason::Length);
  EXPECT_LT(ms_since(next), 3000);
}

TEST_F(SecondTektra, TheAgentAnswersThroughIt) {
  llm::RemoteEngine remote({.url = url_, .context_size = 512});
  TempDir dir;
  auto store = open_sqlite_store(dir.file("tektra.db"));
  EventBus bus;
  AgentConfig config;
  config.intents_dir = (dir.path() / "intents").string();
  config.max_reply_tokens = 32;
  Agent agent(*store, bus, config, &remote);
  AgentReply reply = agent.respond({.text = "Tell me about a brave little mouse"});
  EXPECT_TRUE(reply.from_model);
  EXPECT_FALSE(reply.text.empty());
  EXPECT_EQ(agent.respond({.text = "what is 2 plus 3"}).intent, "Calculate");

  // The server goes away: intents still answer, the rest gets the intents-only reply.
  child_->kill(SIGKILL);
  child_->wait();
  reply = agent.respond({.text = "Tell me about a brave little mouse"});
  EXPECT_FALSE(reply.from_model);
  EXPECT_EQ(reply.text, not_understood_reply());
  EXPECT_EQ(agent.respond({.text = "what is 2 plus 3"}).intent, "Calculate");
}

// --- scripted servers --------------------------------------------------------------------------

// Accepts connections on loopback and answers each with `reply(request_text)`, sent in pieces
// `gap` apart, then closes. Counts connections.
class ScriptedServer {
 public:
  using Reply = std::function<std::vector<std::string>(const std::string& request)>;
  explicit ScriptedServer(Reply reply, std::chrono::milliseconds gap = 0ms)
      : reply_(std::move(reply)), gap_(gap) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 16);
    socklen_t size = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &size);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_; }

 private:
  void serve() {
    while (!stopping_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      ++connections_;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      for (const auto& piece : reply_(request)) {
        if (stopping_) break;
        ::send(c, piece.data(), piece.size(), MSG_NOSIGNAL);
        std::this_thread::sleep_for(gap_);
      }
      ::close(c);
    }
  }

  Reply reply_;
  std::chrono::milliseconds gap_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

std::string head(int status, const std::string& type = "text/event-stream") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + type +
         "\r\nConnection: close\r\n\r\n";
}

std::string event(const ordered_json& data) {
  return "data: " + data.dump() + "\n\n";
}

ordered_json delta(const ordered_json& d, const ordered_json& finish = nullptr) {
  return {{"choices", {{{"index", 0}, {"delta", d}, {"finish_reason", finish}}}}};
}

llm::RemoteEngineOptions quick(const std::string& url) {
  llm::RemoteEngineOptions o;
  o.url = url;
  o.model = "m";
  o.connect_timeout = 500ms;
  o.first_byte_timeout = 400ms;
  o.idle_timeout = 400ms;
  o.retries = 2;
  o.backoff = 20ms;
  o.breaker_failures = 3;
  o.breaker_cooldown = 300ms;
  return o;
}

TEST(RemoteEngine, AssemblesToolCallsStreamedInPieces) {
  // Split across events and across TCP writes, including inside an event's JSON.
  const std::string stream =
      event(delta({{"role", "assistant"}, {"content", "Let me "}})) +
      event(delta({{"content", "check."}})) +
      event(delta({{"tool_calls",
                    {{{"index", 0},
                      {"id", "call_a"},
                      {"type", "function"},
                      {"function", {{"name", "set_timer"}, {"arguments", "{\"sec"}}}}}}})) +
      event(
          delta({{"tool_calls", {{{"index", 0}, {"function", {{"arguments", "onds\": 90}"}}}}}}})) +
      event(delta({{"tool_calls",
                    {{{"index", 1},
                      {"id", "call_b"},
                      {"function", {{"name", "get_time"}, {"arguments", "{not json"}}}}}}})) +
      event(delta(ordered_json::object(), "tool_calls")) +
      event({{"choices", ordered_json::array()},
             {"usage", {{"prompt_tokens", 11}, {"completion_tokens", 7}}}}) +
      "data: [DONE]\n\n";
  ScriptedServer server([&](const std::string&) {
    std::vector<std::string> pieces = {head(200)};
    for (size_t at = 0; at < stream.size(); at += 37) pieces.push_back(stream.substr(at, 37));
    return pieces;
  });
  llm::RemoteEngine remote(quick(server.url()));
  std::string streamed;
  const auto reply = remote.chat(ask("time my eggs"), [&](std::string_view t) {
    streamed += t;
    return true;
  });
  EXPECT_EQ(reply.content, "Let me check.");
  EXPECT_EQ(streamed, "Let me check.");
  ASSERT_EQ(reply.tool_calls.size(), 1u);
  EXPECT_EQ(reply.tool_calls[0].id, "call_a");
  EXPECT_EQ(reply.tool_calls[0].name, "set_timer");
  EXPECT_EQ(reply.tool_calls[0].arguments, (nlohmann::json{{"seconds", 90}}));
  ASSERT_EQ(reply.tool_call_errors.size(), 1u);
  EXPECT_NE(reply.tool_call_errors[0].find("get_time"), std::string::npos);
  EXPECT_EQ(reply.prompt_tokens, 11);
  EXPECT_EQ(reply.completion_tokens, 7);
  EXPECT_EQ(reply.finish, llm::FinishReason::Stop);
}

TEST(RemoteEngine, RefusalsKeepTheServersMessage) {
  ScriptedServer bad([](const std::string&) {
    return std::vector<std::string>{
        head(400, "application/json") +
        R"({"error": {"message": "temperature is out of range", "type": "invalid_request_error"}})"};
  });
  auto error = thrown_error([&] { llm::RemoteEngine(quick(bad.url())).chat(ask("hi")); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "remote_error");
  EXPECT_NE(std::string(error->what()).find("temperature is out of range"), std::string::npos);

  ScriptedServer full([](const std::string&) {
    return std::vector<std::string>{
        head(400, "application/json") +
        R"({"error": {"message": "the prompt exceeds the context size", "code": "context_full"}})"};
  });
  error = thrown_error([&] { llm::RemoteEngine(quick(full.url())).chat(ask("hi")); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "context_full");
}

TEST(RemoteEngine, BrokenServersAreUnavailableNeverACrash) {
  const std::vector<std::pair<const char*, std::vector<std::string>>> cases = {
      {"garbage", {"this is not http at all\r\n\r\n"}},
      {"server error", {head(500, "application/json") + R"({"error": "boom"})"}},
      {"bad event", {head(200) + "data: {not json\n\n"}},
      {"closed mid-stream", {head(200) + event(delta({{"content", "half"}}))}},
      {"closed before answering", {}},
  };
  for (const auto& [name, pieces] : cases) {
    ScriptedServer server([&](const std::string&) { return pieces; });
    auto error = thrown_error([&] { llm::RemoteEngine(quick(server.url())).chat(ask("hi")); });
    ASSERT_TRUE(error) << name;
    EXPECT_EQ(error->code(), "engine_unavailable") << name << ": " << error->what();
  }
}

TEST(RemoteEngine, ASilentServerTimesOut) {
  ScriptedServer silent([](const std::string&) {
    std::this_thread::sleep_for(1500ms);
    return std::vector<std::string>{};
  });
  auto options = quick(silent.url());
  options.retries = 0;
  const auto start = Clock::now();
  auto error = thrown_error([&] { llm::RemoteEngine(options).chat(ask("hi")); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "engine_unavailable");
  EXPECT_LT(ms_since(start), 1200) << "gave up after the first-byte timeout";
}

TEST(RemoteEngine, RetriesWithBackoffThenTheBreakerOpensAndLaterCloses) {
  // Accepts and closes at once: every attempt fails before a response starts.
  std::atomic<bool> healthy{false};
  ScriptedServer server([&](const std::string&) {
    if (!healthy) return std::vector<std::string>{};
    return std::vector<std::string>{head(200) + event(delta({{"content", "back"}}, "stop")) +
                                    "data: [DONE]\n\n"};
  });
  llm::RemoteEngine remote(quick(server.url()));
  for (int call = 1; call <= 3; ++call) {
    auto error = thrown_error([&] { remote.chat(ask("hi")); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), "engine_unavailable");
    EXPECT_EQ(server.connections(), call * 3) << "the first attempt and two retries";
  }
  EXPECT_TRUE(remote.circuit_open());
  // Open: refused at once, without a connection.
  const auto start = Clock::now();
  auto error = thrown_error([&] { remote.chat(ask("hi")); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "engine_unavailable");
  EXPECT_NE(std::string(error->what()).find("keeps failing"), std::string::npos);
  EXPECT_LT(ms_since(start), 50);
  EXPECT_EQ(server.connections(), 9);
  // After the cool-down one trial goes through; it succeeds, so the circuit closes.
  healthy = true;
  std::this_thread::sleep_for(350ms);
  EXPECT_EQ(remote.chat(ask("hi")).content, "back");
  EXPECT_FALSE(remote.circuit_open());
  EXPECT_EQ(remote.chat(ask("hi")).content, "back");
}

TEST(RemoteEngine, NothingListeningIsUnavailable) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t size = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size);
  ::close(fd);  // the port is free again: connections are refused
  auto error = thrown_error([&] {
    llm::RemoteEngine(quick("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port))))
        .chat(ask("hi"));
  });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), "engine_unavailable");
  EXPECT_NE(std::string(error->what()).find("cannot be reached"), std::string::npos);
}

TEST(RemoteEngine, UrlsAreCheckedUpFront) {
  EXPECT_EQ(llm::parse_http_url("http://box:8081/v1/").port, 8081);
  EXPECT_EQ(llm::parse_http_url("http://box:8081/v1/").base_path, "");
  EXPECT_EQ(llm::parse_http_url("http://box/ollama").base_path, "/ollama");
  EXPECT_EQ(llm::parse_http_url("http://[::1]:9000").host, "::1");
  EXPECT_EQ(llm::parse_http_url("http://[::1]:9000").port, 9000);
  EXPECT_EQ(llm::parse_http_url("http://box").port, 80);
  for (const char* bad : {"https://box", "ftp://box", "box:80", "http://", "http://box:0",
                          "http://box:99999", "http://box:x"})
    EXPECT_EQ(thrown_code([&] { llm::parse_http_url(bad); }), "invalid_config") << bad;
}

TEST(SseReader, ReadsEventsHoweverTheBytesArrive) {
  const std::string stream =
      ": a comment\r\ndata: one\r\n\r\nevent: x\ndata: two\ndata:  lines\n\nid: 3\ndata:three\r\r"
      "data: [DONE]\n\n";
  for (size_t piece : {1, 2, 5, 100}) {
    llm::SseReader reader;
    std::vector<std::string> events;
    for (size_t at = 0; at < stream.size(); at += piece)
      for (auto& e : reader.push(std::string_view(stream).substr(at, piece))) events.push_back(e);
    EXPECT_EQ(events, (std::vector<std::string>{"one", "two\n lines", "three", "[DONE]"})) << piece;
  }
}

TEST(CircuitBreaker, OpensAfterFailuresAndLetsOneTrialThrough) {
  llm::CircuitBreaker breaker(2, 100ms);
  EXPECT_TRUE(breaker.allow());
  breaker.failed();
  EXPECT_TRUE(breaker.allow());
  breaker.failed();
  llm::CircuitBreaker::Clock::duration wait{};
  EXPECT_FALSE(breaker.allow(&wait));
  EXPECT_GT(wait, 0ms);
  std::this_thread::sleep_for(120ms);
  EXPECT_TRUE(breaker.allow());   // the trial
  EXPECT_FALSE(breaker.allow());  // only one at a time
  breaker.failed();               // it failed: open again
  EXPECT_FALSE(breaker.allow());
  std::this_thread::sleep_for(120ms);
  EXPECT_TRUE(breaker.allow());
  breaker.succeeded();
  EXPECT_TRUE(breaker.allow());
  EXPECT_TRUE(breaker.allow());
}

}  // namespace
}  // namespace tektra::test
