// Replies for setting, cancelling, listing and checking timers.
#include <cmath>

#include "agent/duration_words.h"
#include "agent/intent_actions.h"
#include "agent/number_words.h"
#include "agent/spoken.h"
#include "core/error.h"

namespace tektra {
namespace {

std::string slot_name(const ActionContext& c) {
  return c.match.slots.value("name", "");
}

// "tea timer" or "five minute timer".
std::string timer_label(const nlohmann::json& timer) {
  std::string name = timer["name"];
  if (!name.empty()) return name + " timer";
  return duration_adjective(std::llround(timer["duration_seconds"].get<double>())) + " timer";
}

std::string time_left(const nlohmann::json& timer) {
  return duration_words(timer["remaining_seconds"].get<int64_t>()) + " left";
}

ActionReply no_timers() {
  return {"You don't have any timers."};
}

ActionReply no_timer_called(const std::string& name) {
  return {"You don't have a timer called " + name + "."};
}

ActionReply set_timer(const ActionContext& c) {
  double seconds = c.match.slots["duration"].get<double>();
  if (seconds < 1) return {"A timer needs to be at least one second long."};
  if (seconds > 86400) return {"I can only set timers for up to twenty-four hours."};
  nlohmann::json args = {{"seconds", seconds}};
  std::string name = slot_name(c);
  if (!name.empty()) args["name"] = name;
  try {
    auto timer = c.tools.call("set_timer", args, c.tool_context);
    std::string what =
        timer["name"].get<std::string>().empty() ? "Timer" : capitalize(timer["name"]) + " timer";
    return {what + " set for " + duration_words(std::llround(seconds)) + "."};
  } catch (const Error& e) {
    if (e.code() == "timer_exists") return {"You already have a timer called " + name + "."};
    throw;
  }
}

ActionReply cancel_timer(const ActionContext& c) {
  std::string name = slot_name(c);
  nlohmann::json args = nlohmann::json::object();
  if (!name.empty()) args["name"] = name;
  try {
    auto result = c.tools.call("cancel_timer", args, c.tool_context);
    return {capitalize(timer_label(result["cancelled"][0])) + " cancelled."};
  } catch (const Error& e) {
    if (e.code() == "not_found") return name.empty() ? no_timers() : no_timer_called(name);
    if (e.code() != "ambiguous_timer") throw;
  }
  nlohmann::json timers = c.tools.call("list_timers", {}, c.tool_context)["timers"];
  std::vector<std::string> labels;
  for (const auto& t : timers) labels.push_back(timer_label(t));
  return {"You have " + number_to_words(static_cast<int64_t>(labels.size())) + " timers: " +
          join_words(labels) + ". Which one should I cancel? You can also say cancel all timers."};
}

ActionReply cancel_all_timers(const ActionContext& c) {
  auto cancelled = c.tools.call("cancel_timer", {{"all", true}}, c.tool_context)["cancelled"];
  if (cancelled.empty()) return no_timers();
  if (cancelled.size() == 1) return {"Your " + timer_label(cancelled[0]) + " is cancelled."};
  if (cancelled.size() == 2) return {"Both timers are cancelled."};
  return {"All " + number_to_words(static_cast<int64_t>(cancelled.size())) +
          " timers are cancelled."};
}

ActionReply list_timers(const ActionContext& c) {
  auto timers = c.tools.call("list_timers", {}, c.tool_context)["timers"];
  if (timers.empty()) return no_timers();
  std::vector<std::string> items;
  for (const auto& t : timers) {
    std::string article = t["name"].get<std::string>().empty() ? "a " : "the ";
    items.push_back(article + timer_label(t) + " with " + time_left(t));
  }
  std::string count = timers.size() == 1
                          ? "one timer"
                          : number_to_words(static_cast<int64_t>(timers.size())) + " timers";
  return {"You have " + count + ": " + join_words(items) + "."};
}

ActionReply timer_remaining(const ActionContext& c) {
  std::string name = slot_name(c);
  nlohmann::json args = nlohmann::json::object();
  if (!name.empty()) args["name"] = name;
  nlohmann::json timers;
  try {
    timers = c.tools.call("timer_remaining", args, c.tool_context)["timers"];
  } catch (const Error& e) {
    if (e.code() == "not_found") return no_timer_called(name);
    throw;
  }
  if (timers.empty()) return no_timers();
  std::vector<std::string> items;
  for (const auto& t : timers) items.push_back("your " + timer_label(t) + " has " + time_left(t));
  return {capitalize(join_words(items)) + "."};
}

}  // namespace

void add_timer_actions(IntentActions& actions) {
  actions["SetTimer"] = set_timer;
  actions["CancelTimer"] = cancel_timer;
  actions["CancelAllTimers"] = cancel_all_timers;
  actions["ListTimers"] = list_timers;
  actions["TimerRemaining"] = timer_remaining;
}

}  // namespace tektra
