// SseReader: the event-stream line grammar of the HTML standard, data fields only.
#include "llm/remote/sse_reader.h"

#include "core/error.h"

namespace tektra::llm {
namespace {

constexpr size_t kMaxEventBytes = 4 << 20;

}  // namespace

std::vector<std::string> SseReader::push(std::string_view bytes) {
  std::vector<std::string> events;
  auto end_line = [&] {
    if (line_.empty()) {  // a blank line dispatches the event
      if (has_data_) events.push_back(std::move(data_));
      data_.clear();
      has_data_ = false;
    } else if (line_.starts_with("data")) {
      std::string_view value = std::string_view(line_).substr(4);
      if (!value.empty() && value.front() != ':') return line_.clear();  // another field name
      if (!value.empty()) value.remove_prefix(1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (has_data_) data_ += '\n';
      data_ += value;
      has_data_ = true;
    }
    line_.clear();
  };
  for (char c : bytes) {
    if (c == '\n' && after_cr_) {  // the LF of a CRLF
      after_cr_ = false;
      continue;
    }
    after_cr_ = c == '\r';
    if (c == '\r' || c == '\n') {
      end_line();
    } else {
      line_ += c;
      if (line_.size() + data_.size() > kMaxEventBytes)
        throw Error("bad_response", "a streamed event is larger than 4 MiB");
    }
  }
  return events;
}

}  // namespace tektra::llm
