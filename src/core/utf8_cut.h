// Cutting UTF-8 text to a byte budget without splitting a character.
#pragma once

#include <string>
#include <string_view>

namespace tektra {

// `text` when it fits in `max_bytes`; otherwise its longest prefix of at most `max_bytes` that
// ends on a character boundary, followed by `ellipsis`.
inline std::string cut_utf8(std::string_view text, size_t max_bytes,
                            std::string_view ellipsis = "...") {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)).append(ellipsis);
}

}  // namespace tektra
