// In-process publish/subscribe for events every stage emits (timer fired, latency, errors).
#pragma once

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tektra {

struct Event {
  std::string type;        // e.g. "tektra.timer.fired"
  std::string session_id;  // empty for process-wide events
  nlohmann::json data;
};

class EventBus {
 public:
  using Handler = std::function<void(const Event&)>;
  using SubscriptionId = uint64_t;

  SubscriptionId subscribe(Handler handler);
  void unsubscribe(SubscriptionId id);
  // Calls every handler synchronously on the publishing thread; handlers must be quick and must
  // not call subscribe/unsubscribe.
  void publish(const Event& event);

 private:
  std::mutex mutex_;
  uint64_t next_id_ = 1;
  std::vector<std::pair<SubscriptionId, Handler>> handlers_;
};

}  // namespace tektra
