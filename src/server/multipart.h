// multipart/form-data parsing for uploads (POST /v1/audio/transcriptions).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tektra {

struct FormPart {
  std::string name;
  std::string filename;  // empty for plain fields
  std::string content_type;
  std::string data;
};

// Parses `body` given the request's Content-Type header. Throws Error("invalid_multipart") when the
// header has no boundary or the body is malformed. Later parts with the same name replace earlier.
std::map<std::string, FormPart> parse_multipart(std::string_view content_type,
                                                std::string_view body);

}  // namespace tektra
