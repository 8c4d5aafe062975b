// Minimal, strict multipart/form-data parser (RFC 7578) for bodies already held in memory.
#include "server/multipart.h"

#include <algorithm>

#include "core/error.h"

namespace tektra {
namespace {

[[noreturn]] void malformed(const std::string& why) {
  throw Error("invalid_multipart", "malformed multipart body: " + why);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Value of `key=` in a header parameter list, quoted or not.
std::optional<std::string> parameter(std::string_view header, std::string_view key) {
  std::string lowered = lower(header);
  size_t pos = 0;
  while ((pos = lowered.find(std::string(key) + "=", pos)) != std::string::npos) {
    bool at_boundary = pos == 0 || lowered[pos - 1] == ';' || lowered[pos - 1] == ' ';
    size_t start = pos + key.size() + 1;
    if (!at_boundary) {
      pos = start;
      continue;
    }
    if (start < header.size() && header[start] == '"') {
      size_t end = header.find('"', start + 1);
      if (end == std::string::npos) malformed("unterminated quoted parameter");
      return std::string(header.substr(start + 1, end - start - 1));
    }
    size_t end = header.find(';', start);
    std::string_view v =
        header.substr(start, end == std::string::npos ? std::string::npos : end - start);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    return std::string(v);
  }
  return std::nullopt;
}

}  // namespace

std::map<std::string, FormPart> parse_multipart(std::string_view content_type,
                                                std::string_view body) {
  if (lower(content_type).rfind("multipart/form-data", 0) != 0) {
    throw Error("invalid_multipart", "Content-Type must be multipart/form-data");
  }
  auto boundary = parameter(content_type, "boundary");
  if (!boundary || boundary->empty())
    throw Error("invalid_multipart", "Content-Type has no boundary");
  const std::string delimiter = "--" + *boundary;

  std::map<std::string, FormPart> parts;
  size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) malformed("boundary not found");
  for (;;) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") return parts;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") malformed("expected CRLF after boundary");
    pos += 2;
    size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) malformed("part headers not terminated");
    FormPart part;
    std::string_view headers = body.substr(pos, headers_end - pos);
    size_t line_start = 0;
    while (line_start <= headers.size()) {
      size_t line_end = headers.find("\r\n", line_start);
      if (line_end == std::string_view::npos) line_end = headers.size();
      std::string_view line = headers.substr(line_start, line_end - line_start);
      size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string name = lower(line.substr(0, colon));
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (name == "content-disposition") {
          part.name = parameter(value, "name").value_or("");
          part.filename = parameter(value, "filename").value_or("");
        } else if (name == "content-type") {
          part.content_type = std::string(value);
        }
      }
      line_start = line_end + 2;
    }
    if (part.name.empty()) malformed("part without a name");
    size_t data_start = headers_end + 4;
    size_t next = body.find("\r\n" + delimiter, data_start);
    if (next == std::string_view::npos) malformed("missing closing boundary");
    part.data = std::string(body.substr(data_start, next - data_start));
    parts[part.name] = std::move(part);
    pos = next + 2;
  }
}

}  // namespace tektra
