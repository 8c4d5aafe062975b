// TimerService: in-memory index of pending timers over the Store, and the thread that fires them.
#include "agent/timer_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <chrono>

#include "agent/duration_words.h"
#include "core/error.h"

namespace tektra {

std::string timer_done_message(const TimerRecord& timer) {
  if (!timer.name.empty()) return fmt::format("Your {} timer is done.", timer.name);
  int64_t seconds = (timer.duration_ms + 500) / 1000;
  return fmt::format("Your {} timer is done.", duration_adjective(seconds));
}

std::string TimerService::canonical_name(std::string_view name) {
  std::string out;
  bool space = false;
  for (char c : name) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

int64_t TimerService::remaining_ms(const TimerRecord& timer) {
  return std::max<int64_t>(0, timer.due_at_ms - unix_millis_now());
}

TimerService::TimerService(Store& store, EventBus& bus)
    : store_(store), bus_(bus), pending_(store.pending_timers()), ids_(std::random_device{}()) {
  thread_ = std::thread([this] { run(); });
}

TimerService::~TimerService() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::string TimerService::new_id() {
  return fmt::format("{:016x}", ids_());
}

TimerRecord TimerService::set(const std::string& session_id, const std::string& conversation_id,
                              int64_t duration_ms, std::string_view name) {
  if (duration_ms < 1 || duration_ms > kMaxDurationMs) {
    throw Error("invalid_timer",
                fmt::format("a timer must last between 1 ms and 24 hours, not {} ms", duration_ms));
  }
  TimerRecord timer;
  timer.name = canonical_name(name);
  timer.session_id = session_id;
  timer.conversation_id = conversation_id;
  timer.duration_ms = duration_ms;
  std::lock_guard lock(mutex_);
  if (!timer.name.empty()) {
    for (const auto& t : pending_) {
      if (t.session_id == session_id && t.name == timer.name) {
        throw Error("timer_exists", fmt::format("there is already a timer called {}", timer.name));
      }
    }
  }
  timer.id = new_id();
  timer.due_at_ms = unix_millis_now() + duration_ms;
  store_.save_timer(timer);  // durable before anyone is told it is set
  pending_.push_back(timer);
  wake_.notify_all();
  return timer;
}

bool TimerService::cancel(const std::string& session_id, const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const TimerRecord& t) {
    return t.id == id && t.session_id == session_id;
  });
  if (it == pending_.end()) return false;
  store_.set_timer_status(id, "cancelled");
  pending_.erase(it);
  wake_.notify_all();
  return true;
}

std::vector<TimerRecord> TimerService::cancel_all(const std::string& session_id) {
  std::vector<TimerRecord> cancelled;
  std::lock_guard lock(mutex_);
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->session_id == session_id) {
      store_.set_timer_status(it->id, "cancelled");
      cancelled.push_back(std::move(*it));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  wake_.notify_all();
  std::sort(cancelled.begin(), cancelled.end(),
            [](const TimerRecord& a, const TimerRecord& b) { return a.due_at_ms < b.due_at_ms; });
  return cancelled;
}

std::vector<TimerRecord> TimerService::list(const std::string& session_id) const {
  std::vector<TimerRecord> out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& t : pending_) {
      if (t.session_id == session_id) out.push_back(t);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const TimerRecord& a, const TimerRecord& b) { return a.due_at_ms < b.due_at_ms; });
  return out;
}

std::optional<TimerRecord> TimerService::find(const std::string& session_id,
                                              std::string_view name) const {
  std::string wanted = canonical_name(name);
  std::lock_guard lock(mutex_);
  for (const auto& t : pending_) {
    if (t.session_id == session_id && t.name == wanted) return t;
  }
  return std::nullopt;
}

void TimerService::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (pending_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto next =
        std::min_element(pending_.begin(), pending_.end(),
                         [](const auto& a, const auto& b) { return a.due_at_ms < b.due_at_ms; });
    int64_t wait_ms = next->due_at_ms - unix_millis_now();
    if (wait_ms > 0) {
      // Woken early by set/cancel/shutdown, or on time; either way the loop looks again.
      wake_.wait_for(lock, std::chrono::milliseconds(wait_ms));
      continue;
    }
    TimerRecord due = std::move(*next);
    pending_.erase(next);
    lock.unlock();  // the store and event handlers must not run under the timer lock
    fire(due);
    lock.lock();
  }
}

void TimerService::fire(const TimerRecord& timer) {
  try {
    store_.set_timer_status(timer.id, "fired");
  } catch (const std::exception& e) {
    // Still announce the timer: the user would rather hear it than have it lost to a write error.
    spdlog::error("timer {}: could not mark it fired: {}", timer.id, e.what());
  }
  double duration_s = static_cast<double>(timer.duration_ms) / 1000.0;
  nlohmann::json data = {{"id", timer.id},
                         {"name", timer.name},
                         {"conversation_id", timer.conversation_id},
                         {"message", timer_done_message(timer)}};
  if (timer.duration_ms % 1000 == 0) {
    data["duration_s"] = timer.duration_ms / 1000;
  } else {
    data["duration_s"] = duration_s;
  }
  try {
    bus_.publish(Event{"tektra.timer.fired", timer.session_id, std::move(data)});
  } catch (const std::exception& e) {
    spdlog::error("timer {}: an event handler failed: {}", timer.id, e.what());
  }
}

}  // namespace tektra
