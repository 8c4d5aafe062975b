// Keeps sphinxbase's chatty logging out of Tektra's output and turns its errors into messages.
#pragma once

#include <string>
#include <vector>

namespace tektra::sphinx {

// Routes sphinxbase/pocketsphinx log output through spdlog: warnings and errors at debug level,
// the hundreds of INFO lines a decoder prints are dropped. Idempotent and thread-safe.
void quiet_logging();

// Collects the error messages sphinxbase logs on this thread while it is alive, so a failed call
// (a JSGF syntax error, an undefined rule) can be reported with the library's own reason.
class ErrorCapture {
 public:
  ErrorCapture();
  ~ErrorCapture();
  ErrorCapture(const ErrorCapture&) = delete;
  ErrorCapture& operator=(const ErrorCapture&) = delete;

  void add(const std::string& message);
  bool any() const { return !messages_.empty(); }
  std::string first() const { return any() ? messages_.front() : ""; }
  std::string messages() const;  // "; "-separated

 private:
  std::vector<std::string> messages_;
  ErrorCapture* outer_;
};

}  // namespace tektra::sphinx
