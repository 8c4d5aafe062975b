// Keeps sphinxbase's chatty logging out of Tektra's output and turns its errors into messages.
#include "stt/sphinx_log.h"

#include <spdlog/spdlog.h>
#include <sphinxbase/err.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace tektra::sphinx {
namespace {

// Logging in sphinxbase is process-wide, but decoders run on many threads: the capture that
// collects messages is per thread so concurrent grammar compilations do not mix their errors.
thread_local ErrorCapture* active_capture = nullptr;

// sphinxbase prefixes errors with 'ERROR: "file.c", line 42: '; the file and line are noise here.
std::string without_location(std::string text) {
  if (const auto line = text.find("\", line "); line != std::string::npos) {
    if (const auto colon = text.find(": ", line); colon != std::string::npos) {
      text.erase(0, colon + 2);
    }
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

void on_message(void* /*user_data*/, err_lvl_t level, const char* format, ...) {
  if (level < ERR_WARN) return;  // INFO is hundreds of lines per decoder; nothing to act on
  char buffer[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  std::string message = without_location(buffer);
  if (message.empty()) return;
  spdlog::debug("pocketsphinx: {}", message);
  if (level >= ERR_ERROR && active_capture != nullptr) active_capture->add(message);
}

}  // namespace

void quiet_logging() {
  static std::once_flag once;
  std::call_once(once, [] {
    err_set_logfp(nullptr);  // cmd_ln prints its whole option table to this stream
    err_set_callback(on_message, nullptr);
  });
}

ErrorCapture::ErrorCapture() : outer_(active_capture) {
  active_capture = this;
}

ErrorCapture::~ErrorCapture() {
  active_capture = outer_;
}

void ErrorCapture::add(const std::string& message) {
  messages_.push_back(message);
}

std::string ErrorCapture::messages() const {
  std::string text;
  for (const auto& message : messages_) text += (text.empty() ? "" : "; ") + message;
  return text;
}

}  // namespace tektra::sphinx
