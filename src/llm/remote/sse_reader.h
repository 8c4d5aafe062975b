// Server-Sent Events as OpenAI-compatible servers stream them: bytes in, each event's data out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tektra::llm {

class SseReader {
 public:
  // The data of every event completed by `bytes` (its "data:" lines joined by "\n"), in order.
  // Comments, other fields and CR/LF/CRLF line ends are handled; throws Error("bad_response") when
  // one event grows past 4 MiB without ending.
  std::vector<std::string> push(std::string_view bytes);

 private:
  std::string line_;  // the line being read
  std::string data_;  // the event being read
  bool has_data_ = false;
  bool after_cr_ = false;
};

}  // namespace tektra::llm
