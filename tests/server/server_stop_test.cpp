// Stopping the server while a REST request is still being answered on the compute pool.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "support/http_client.h"
#include "support/test_server.h"

namespace tektra::test {
namespace {

using namespace std::chrono_literals;

// One voice whose synthesis reports that it started, then holds its pool thread until opened.
class GatedSynthesizer : public SpeechSynthesizer {
 public:
  std::string name() const override { return "gated"; }
  std::vector<Voice> voices() const override {
    return {Voice{"gate", "gated", "en-US", "", 16000}};
  }
  Speech synthesize(const std::string&, const std::string&, double) override {
    started_.set_value();
    open_.wait();
    Speech speech;
    speech.audio.sample_rate = 16000;
    speech.audio.channels = 1;
    speech.audio.samples.assign(1600, 0);
    return speech;
  }
  bool started_within(std::chrono::seconds timeout) {
    return started_future_.wait_for(timeout) == std::future_status::ready;
  }
  void open() { opener_.set_value(); }

 private:
  std::promise<void> started_;
  std::future<void> started_future_ = started_.get_future();
  std::promise<void> opener_;
  std::shared_future<void> open_ = opener_.get_future().share();
};

// A request's pool task holds its connection and posts the reply to the server's I/O loop, so the
// server must not be destroyed under it (seen as a rare double free when a test server stopped).
TEST(ServerStop, WaitsForARequestStillRunningOnThePool) {
  TestServer base;  // a real runtime: store, engines, pool
  std::vector<std::unique_ptr<SpeechSynthesizer>> engines;
  engines.push_back(std::make_unique<GatedSynthesizer>());
  auto& gate = static_cast<GatedSynthesizer&>(*engines.front());
  VoiceCatalog voices(std::move(engines));
  ServerServices& real = base.runtime().services();
  ServerServices services{real.config, real.store,   real.agent,  real.recognizer, voices,
                          real.pool,   real.replies, real.timers, real.bus,        real.metrics};
  auto server = std::make_unique<Server>(services);
  server->start();

  auto client = std::async(std::launch::async, [port = server->port()] {
    return http_request(port, "POST", "/v1/audio/speech", R"({"input": "hello", "voice": "gate"})");
  });
  ASSERT_TRUE(gate.started_within(15s)) << "the request never reached the engine";
  std::atomic<bool> opened = false;
  auto destroyed = std::async(std::launch::async, [&] {
    server.reset();
    return opened.load();
  });
  std::this_thread::sleep_for(200ms);  // time enough for a server that does not wait to go away
  opened = true;
  gate.open();
  EXPECT_TRUE(destroyed.get()) << "the server was destroyed while a request was still running";
  client.wait();  // the stopped server closes the connection without a reply
}

}  // namespace
}  // namespace tektra::test
