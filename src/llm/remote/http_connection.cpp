// HttpConnection: blocking sockets driven by poll() in short slices, so a cancel is seen quickly.
#include "llm/remote/http_connection.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "core/error.h"

namespace tektra::llm {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kSlice{50};  // how often a wait looks at the cancel token
constexpr size_t kMaxHead = 64 * 1024;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Waits for `events` on `fd` until `deadline`, in slices; throws on cancel or timeout.
void wait_for(int fd, short events, Clock::time_point deadline, const CancellationToken& cancel,
              const char* what) {
  for (;;) {
    if (cancel.cancelled()) throw Error("cancelled", "the request was cancelled");
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) throw Error("timeout", std::string("timed out ") + what);
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::min(left, kSlice).count()));
    if (n > 0) return;
    if (n < 0 && errno != EINTR) throw Error("connection_lost", std::strerror(errno));
  }
}

}  // namespace

HttpEndpoint parse_http_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.starts_with("https://"))
    throw Error("invalid_config",
                "https is not supported for the remote model; use http:// (a TLS-terminating proxy "
                "on this machine can reach an https server)");
  if (!url.starts_with(kScheme))
    throw Error("invalid_config",
                "the remote model URL must start with http://, not '" + std::string(url) + "'");
  std::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  HttpEndpoint e;
  e.base_path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  while (!e.base_path.empty() && e.base_path.back() == '/') e.base_path.pop_back();
  if (e.base_path.ends_with("/v1")) e.base_path.resize(e.base_path.size() - 3);
  // "host", "host:port", "[v6]" or "[v6]:port".
  const size_t bracket = authority.starts_with('[') ? authority.find(']') : std::string_view::npos;
  const size_t colon = authority.find(':', bracket == std::string_view::npos ? 0 : bracket);
  if (colon != std::string_view::npos) {
    const std::string port(authority.substr(colon + 1));
    char* end = nullptr;
    const long p = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || p < 1 || p > 65535)
      throw Error("invalid_config", "bad port in the remote model URL '" + std::string(url) + "'");
    e.port = static_cast<uint16_t>(p);
    authority = authority.substr(0, colon);
  }
  if (bracket != std::string_view::npos) authority = authority.substr(1, bracket - 1);
  if (authority.empty())
    throw Error("invalid_config", "no host in the remote model URL '" + std::string(url) + "'");
  e.host = std::string(authority);
  return e;
}

HttpConnection::HttpConnection(const HttpEndpoint& endpoint, std::chrono::milliseconds timeout,
                               CancellationToken cancel)
    : cancel_(std::move(cancel)) {
  const auto deadline = Clock::now() + timeout;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(endpoint.port);
  if (int rc = ::getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &found); rc != 0)
    throw Error("connect_failed", "cannot resolve " + endpoint.host + ": " + gai_strerror(rc));
  std::string failure = "no address";
  for (addrinfo* a = found; a && fd_ < 0; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      try {
        wait_for(fd, POLLOUT, deadline, cancel_, "connecting");
        int error = 0;
        socklen_t size = sizeof error;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
        rc = error == 0 ? 0 : -1;
        errno = error;
      } catch (const Error& e) {
        ::close(fd);
        if (e.code() == "cancelled") {
          ::freeaddrinfo(found);
          throw;
        }
        failure = e.what();
        continue;
      }
    }
    if (rc == 0) {
      fd_ = fd;
    } else {
      failure = std::strerror(errno);
      ::close(fd);
    }
  }
  ::freeaddrinfo(found);
  if (fd_ < 0)
    throw Error("connect_failed",
                "cannot connect to " + endpoint.host + ":" + port + ": " + failure);
}

HttpConnection::~HttpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

void HttpConnection::send(std::string_view method, std::string_view path,
                          const std::map<std::string, std::string>& headers,
                          std::string_view body) {
  std::string request = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\n";
  request += "Connection: close\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (!body.empty()) request += "Content-Type: application/json\r\n";
  if (!body.empty() || method == "POST")
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n";
  request += body;
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n =
        ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      wait_for(fd_, POLLOUT, deadline, cancel_, "sending the request");
    } else {
      throw Error("connection_lost", std::string("sending the request: ") + std::strerror(errno));
    }
  }
}

bool HttpConnection::fill(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    char data[16384];
    const ssize_t n = ::recv(fd_, data, sizeof data, MSG_DONTWAIT);
    if (n > 0) {
      buffer_.append(data, static_cast<size_t>(n));
      return true;
    }
    if (n == 0) return false;
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      throw Error("connection_lost", std::strerror(errno));
    wait_for(fd_, POLLIN, deadline, cancel_, "waiting for the remote model");
  }
}

HttpHead HttpConnection::read_head(std::chrono::milliseconds timeout) {
  size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (buffer_.size() > kMaxHead) throw Error("bad_response", "the response head is too long");
    if (!fill(timeout))
      throw Error("connection_lost", "the server closed the connection before answering");
  }
  const std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  HttpHead h;
  const size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12)
    throw Error("bad_response", "not an HTTP response: '" + status_line.substr(0, 40) + "'");
  h.status = std::atoi(status_line.c_str() + 9);
  for (size_t at = line_end; at != std::string::npos && at < head.size();) {
    const size_t start = at + 2;
    const size_t next = head.find("\r\n", start);
    const std::string line =
        head.substr(start, next == std::string::npos ? std::string::npos : next - start);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      h.headers[lower(line.substr(0, colon))] = value;
    }
    at = next;
  }
  if (lower(h.headers["transfer-encoding"]).find("chunked") != std::string::npos) {
    body_ = Body::Chunked;
  } else if (h.headers.contains("content-length")) {
    body_ = Body::Length;
    remaining_ = std::atoll(h.headers["content-length"].c_str());
  }
  return h;
}

std::string HttpConnection::take_remaining(std::chrono::milliseconds timeout) {
  if (buffer_.empty() && !fill(timeout)) throw Error("connection_lost", "the response ended early");
  const size_t n = std::min(buffer_.size(), static_cast<size_t>(remaining_));
  remaining_ -= static_cast<int64_t>(n);
  std::string piece = buffer_.substr(0, n);
  buffer_.erase(0, n);
  return piece;
}

std::optional<std::string> HttpConnection::read_body(std::chrono::milliseconds timeout) {
  if (done_) return std::nullopt;
  switch (body_) {
    case Body::UntilClose:
      if (buffer_.empty() && !fill(timeout)) {
        done_ = true;
        return std::nullopt;
      }
      return std::exchange(buffer_, "");
    case Body::Length: {
      if (remaining_ == 0) {
        done_ = true;
        return std::nullopt;
      }
      return take_remaining(timeout);
    }
    case Body::Chunked:
      for (;;) {
        if (remaining_ > 0) {
          std::string piece = take_remaining(timeout);
          if (remaining_ == 0) remaining_ = -1;  // the chunk's CRLF comes next
          return piece;
        }
        size_t line_end;
        while ((line_end = buffer_.find("\r\n")) == std::string::npos) {
          if (buffer_.size() > 1024) throw Error("bad_response", "bad chunk header");
          if (!fill(timeout)) throw Error("connection_lost", "the response ended between chunks");
        }
        if (remaining_ < 0) {  // the CRLF after a chunk's data
          if (line_end != 0) throw Error("bad_response", "missing CRLF after a chunk");
          buffer_.erase(0, 2);
          remaining_ = 0;
          continue;
        }
        char* end = nullptr;
        const std::string size_text = buffer_.substr(0, line_end);
        const long long size = std::strtoll(size_text.c_str(), &end, 16);
        if (size_text.empty() || end == size_text.c_str() || size < 0)
          throw Error("bad_response", "bad chunk size '" + size_text.substr(0, 20) + "'");
        buffer_.erase(0, line_end + 2);
        if (size == 0) {
          done_ = true;
          return std::nullopt;
        }
        remaining_ = size;
      }
  }
  return std::nullopt;
}

}  // namespace tektra::llm
