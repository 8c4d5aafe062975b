// HttpResponse helpers and query-string parsing.
#include "server/http_types.h"

#include "core/error.h"

namespace tektra {

HttpResponse HttpResponse::json(int status, const nlohmann::json& value) {
  HttpResponse r;
  r.status = status;
  r.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

HttpResponse HttpResponse::error(int status, const std::string& code, const std::string& message) {
  std::string type = status >= 500 ? "server_error" : "invalid_request_error";
  return json(
      status,
      {{"error", {{"message", message}, {"type", type}, {"code", code}, {"param", nullptr}}}});
}

std::string sse_event(const nlohmann::json& event) {
  return "data: " + event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
}

nlohmann::json parse_json_body(const HttpRequest& request) {
  auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded()) throw Error("invalid_json", "the request body is not valid JSON");
  if (!body.is_object()) throw Error("invalid_json", "the request body must be a JSON object");
  return body;
}

std::string url_decode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() &&
               std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(const std::string& query) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string pair = query.substr(pos, amp - pos);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      if (eq == std::string::npos) {
        out[url_decode(pair)] = "";
      } else {
        out[url_decode(pair.substr(0, eq))] = url_decode(pair.substr(eq + 1));
      }
    }
    pos = amp + 1;
  }
  return out;
}

}  // namespace tektra
