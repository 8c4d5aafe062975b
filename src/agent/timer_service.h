// Timers for every session: persisted in the Store, fired by one background thread as events.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/event_bus.h"
#include "store/store.h"

namespace tektra {

// When a timer is due, publishes Event{"tektra.timer.fired", session_id, {"id", "name",
// "conversation_id", "duration_s", "message"}} where message is a sentence to speak ("Your five
// minute timer is done."). Handlers run on the timer thread.
class TimerService {
 public:
  static constexpr int64_t kMaxDurationMs = 24 * 3600 * 1000;

  // Restores the store's pending timers; those already overdue fire at once.
  TimerService(Store& store, EventBus& bus);
  ~TimerService();  // stops the thread; pending timers stay in the store for the next start

  TimerService(const TimerService&) = delete;
  TimerService& operator=(const TimerService&) = delete;

  // Starts and persists a timer. `name` is optional and compared case-insensitively within the
  // session. Throws Error("invalid_timer") for a duration outside 1 ms .. 24 h and
  // Error("timer_exists") when the session already has a pending timer with that name.
  TimerRecord set(const std::string& session_id, const std::string& conversation_id,
                  int64_t duration_ms, std::string_view name = "");

  // Cancels one pending timer of the session by id; false when there is none.
  bool cancel(const std::string& session_id, const std::string& id);
  // Cancels every pending timer of the session and returns them.
  std::vector<TimerRecord> cancel_all(const std::string& session_id);

  std::vector<TimerRecord> list(const std::string& session_id) const;  // soonest first
  std::optional<TimerRecord> find(const std::string& session_id, std::string_view name) const;

  // Milliseconds until the timer fires, never negative.
  static int64_t remaining_ms(const TimerRecord& timer);

  // Timer names as stored and compared: trimmed, single-spaced, ASCII lower-case.
  static std::string canonical_name(std::string_view name);

 private:
  void run();
  void fire(const TimerRecord& timer);
  std::string new_id();

  Store& store_;
  EventBus& bus_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<TimerRecord> pending_;  // every session's pending timers
  std::mt19937_64 ids_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything it uses exists
};

// "Your five minute timer is done." / "Your tea timer is done."
std::string timer_done_message(const TimerRecord& timer);

}  // namespace tektra
