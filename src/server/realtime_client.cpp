// RealtimeClient: Boost.Beast WebSocket client with a reader thread and a write queue.
#include "server/realtime_client.h"

#include <fmt/format.h>
#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <condition_variable>
#include <deque>
#include <future>
#include <thread>

#include "core/error.h"

namespace tektra {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct RealtimeClient::Impl {
  net::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
  beast::flat_buffer buffer;
  std::deque<std::pair<bool, std::string>> outbox;  // (text?, payload), touched on the io thread
  bool writing = false;
  std::thread thread;

  mutable std::mutex mutex;
  std::condition_variable arrived;
  std::deque<nlohmann::json> inbox;
  std::vector<nlohmann::json> all;
  bool is_closed = false;
  std::string reason;

  void read() {
    ws.async_read(buffer, [this](beast::error_code ec, size_t) {
      std::lock_guard lock(mutex);
      if (ec) {
        is_closed = true;
        reason = ws.reason().reason.empty()
                     ? ec.message()
                     : std::string(ws.reason().reason.data(), ws.reason().reason.size());
        if (ws.reason().code != websocket::close_code::none)
          reason = fmt::format("{} {}", static_cast<int>(ws.reason().code), reason);
        arrived.notify_all();
        return;
      }
      auto event = nlohmann::json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
      buffer.consume(buffer.size());
      inbox.push_back(event);
      all.push_back(event);
      arrived.notify_all();
      read();
    });
  }

  void write_next() {
    writing = true;
    ws.text(outbox.front().first);
    ws.async_write(net::buffer(outbox.front().second), [this](beast::error_code ec, size_t) {
      outbox.pop_front();
      if (ec || outbox.empty()) {
        writing = false;
        return;
      }
      write_next();
    });
  }

  void enqueue(bool text, std::string payload) {
    net::post(ioc, [this, text, payload = std::move(payload)]() mutable {
      outbox.emplace_back(text, std::move(payload));
      if (!writing) write_next();
    });
  }
};

RealtimeClient::RealtimeClient(const std::string& host, uint16_t port, const std::string& target,
                               const std::map<std::string, std::string>& headers)
    : impl_(std::make_unique<Impl>()) {
  try {
    tcp::resolver resolver(impl_->ioc);
    net::connect(impl_->ws.next_layer(), resolver.resolve(host, std::to_string(port)));
    impl_->ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
      for (const auto& [k, v] : headers) req.set(k, v);
    }));
    impl_->ws.read_message_max(64 * 1024 * 1024);
    impl_->ws.handshake(host + ":" + std::to_string(port), target);
  } catch (const std::exception& e) {
    throw Error("connect_failed",
                fmt::format("cannot open ws://{}:{}{}: {}", host, port, target, e.what()));
  }
  impl_->read();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

RealtimeClient::~RealtimeClient() {
  close();
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void RealtimeClient::send(const nlohmann::json& event) {
  impl_->enqueue(true, event.dump());
}
void RealtimeClient::send_text(std::string text) {
  impl_->enqueue(true, std::move(text));
}
void RealtimeClient::send_binary(std::string bytes) {
  impl_->enqueue(false, std::move(bytes));
}

std::optional<nlohmann::json> RealtimeClient::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  impl_->arrived.wait_for(lock, timeout,
                          [this] { return !impl_->inbox.empty() || impl_->is_closed; });
  if (impl_->inbox.empty()) return std::nullopt;
  auto event = std::move(impl_->inbox.front());
  impl_->inbox.pop_front();
  return event;
}

std::optional<nlohmann::json> RealtimeClient::wait_for(const std::string& type,
                                                       std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto event = next(left);
    if (!event) return std::nullopt;
    if (event->is_object() && event->value("type", "") == type) return event;
  }
}

std::vector<nlohmann::json> RealtimeClient::history() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->all;
}

bool RealtimeClient::closed() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->is_closed;
}

std::string RealtimeClient::close_reason() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->reason;
}

void RealtimeClient::close() {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->is_closed) return;
  }
  auto done = std::make_shared<std::promise<void>>();
  auto future = done->get_future();
  net::post(impl_->ioc, [this, done] {
    impl_->ws.async_close(websocket::close_code::normal,
                          [done](beast::error_code) { done->set_value(); });
  });
  future.wait_for(std::chrono::seconds(2));
}

}  // namespace tektra
