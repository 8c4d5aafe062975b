// Transport-neutral HTTP request/response values, so handlers stay free of Boost.Beast.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/cancellation.h"

namespace tektra {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

// The body of a streamed response (Server-Sent Events), written while the handler's work runs.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Queues `data` for the client; thread-safe. False once the client has gone: stop then.
  virtual bool write(std::string data) = 0;
  // Cancelled when the client disconnects or the server stops.
  virtual CancellationToken disconnected() const = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::map<std::string, std::string> headers;
  // When set, `body` is ignored: after the status and headers the server calls `stream` on a
  // thread of its own and sends what it writes, chunked, until it returns; the connection closes
  // after the response.
  std::function<void(ResponseStream&)> stream;

  static HttpResponse json(int status, const nlohmann::json& value);
  // OpenAI's error shape: {"error": {"message", "type", "code", "param"}}.
  static HttpResponse error(int status, const std::string& code, const std::string& message);
};

// One Server-Sent Events message carrying `event` as its data (invalid UTF-8 replaced).
std::string sse_event(const nlohmann::json& event);

// The request body as a JSON object; throws Error("invalid_json") otherwise.
nlohmann::json parse_json_body(const HttpRequest& request);

// Splits "a=1&b=x%20y" into decoded pairs.
std::map<std::string, std::string> parse_query(const std::string& query);
std::string url_decode(const std::string& text);

}  // namespace tektra
