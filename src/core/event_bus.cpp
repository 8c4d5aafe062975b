// EventBus implementation.
#include "core/event_bus.h"

#include <algorithm>

namespace tektra {

EventBus::SubscriptionId EventBus::subscribe(Handler handler) {
  std::lock_guard lock(mutex_);
  handlers_.emplace_back(next_id_, std::move(handler));
  return next_id_++;
}

void EventBus::unsubscribe(SubscriptionId id) {
  std::lock_guard lock(mutex_);
  std::erase_if(handlers_, [id](const auto& h) { return h.first == id; });
}

void EventBus::publish(const Event& event) {
  std::lock_guard lock(mutex_);
  for (const auto& [id, handler] : handlers_) handler(event);
}

}  // namespace tektra
