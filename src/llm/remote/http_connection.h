// A small HTTP/1.1 client for one streamed request per connection over plain TCP: connect, send,
// read the head, then read the (de-chunked) body as it arrives. Every wait is bounded by a timeout
// and ends early when the caller's cancellation token fires.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/cancellation.h"

namespace tektra::llm {

struct HttpEndpoint {
  std::string host;
  uint16_t port = 80;
  std::string base_path;  // without a trailing slash: "" or "/api"
};

// "http://host[:port][/base]" (a trailing "/v1" is dropped: OpenAI clients are often given it).
// Throws Error("invalid_config") for anything else, https included.
HttpEndpoint parse_http_url(std::string_view url);

struct HttpHead {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
};

class HttpConnection {
 public:
  // Throws Error("connect_failed") when the host cannot be resolved or reached within `timeout`,
  // Error("cancelled") when `cancel` fires first.
  HttpConnection(const HttpEndpoint& endpoint, std::chrono::milliseconds timeout,
                 CancellationToken cancel);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends the request (JSON body when non-empty). Throws Error("connection_lost").
  void send(std::string_view method, std::string_view path,
            const std::map<std::string, std::string>& headers, std::string_view body);
  // Waits up to `timeout` for the status line and headers. Throws Error("timeout"),
  // Error("connection_lost"), Error("bad_response") or Error("cancelled").
  HttpHead read_head(std::chrono::milliseconds timeout);
  // The next piece of the body, waiting up to `timeout` between pieces; nullopt at its end.
  // Throws as read_head() does.
  std::optional<std::string> read_body(std::chrono::milliseconds timeout);

 private:
  // Appends what arrives to buffer_; false at end of stream.
  bool fill(std::chrono::milliseconds timeout);
  // Up to remaining_ bytes of what has arrived (waiting for some), counted off remaining_.
  std::string take_remaining(std::chrono::milliseconds timeout);

  int fd_ = -1;
  CancellationToken cancel_;
  std::string buffer_;  // received, not yet consumed
  enum class Body { Chunked, Length, UntilClose } body_ = Body::UntilClose;
  int64_t remaining_ = 0;  // of the current chunk or of a Content-Length body
  bool done_ = false;
};

}  // namespace tektra::llm
