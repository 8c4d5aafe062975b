// Files compiled into the binary (shipped intent templates, the web page); see
// cmake/EmbedFiles.cmake.
#pragma once

#include <span>
#include <string_view>

namespace tektra {

struct EmbeddedFile {
  std::string_view path;  // relative to the embedded directory, e.g. "intents/time.ini"
  std::string_view content;
};

}  // namespace tektra
