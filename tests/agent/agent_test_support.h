// Helpers shared by the agent tests: a real SQLite store in a temp dir, error messages, event
// collection and fixed wall-clock instants.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/event_bus.h"
#include "store/store.h"
#include "support/temp_dir.h"
#include "support/thrown.h"

namespace tektra::test {

// A temp dir with a real SQLite database in it.
struct TempStore {
  TempDir dir;
  std::unique_ptr<Store> store = open_sqlite_store(dir.file("tektra.db"));

  // Closes and reopens the database, as a process restart would.
  void reopen() {
    store.reset();
    store = open_sqlite_store(dir.file("tektra.db"));
  }
};

// The error message `f` threw, or "(no error)".
template <typename F>
std::string thrown_message(F&& f) {
  auto error = thrown_error(std::forward<F>(f));
  return error ? std::string(error->what()) : "(no error)";
}

// Collects events of one type from a bus and lets a test wait for them.
class EventCollector {
 public:
  EventCollector(EventBus& bus, std::string type) : bus_(bus), type_(std::move(type)) {
    id_ = bus_.subscribe([this](const Event& e) {
      if (e.type != type_) return;
      std::lock_guard lock(mutex_);
      events_.push_back(e);
      changed_.notify_all();
    });
  }
  ~EventCollector() { bus_.unsubscribe(id_); }

  // Waits up to `timeout` for at least `count` events; returns what arrived.
  std::vector<Event> wait_for(size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return events_.size() >= count; });
    return events_;
  }

  std::vector<Event> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  EventBus& bus_;
  std::string type_;
  EventBus::SubscriptionId id_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Event> events_;
};

// The instant that the process's local time zone shows as the given calendar time.
inline std::chrono::system_clock::time_point local_instant(int year, int month, int day, int hour,
                                                           int minute) {
  std::tm fields{};
  fields.tm_year = year - 1900;
  fields.tm_mon = month - 1;
  fields.tm_mday = day;
  fields.tm_hour = hour;
  fields.tm_min = minute;
  fields.tm_isdst = -1;
  return std::chrono::system_clock::from_time_t(std::mktime(&fields));
}

}  // namespace tektra::test
