// Transport-neutral HTTP request/response values, so handlers stay free of Boost.Beast.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

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

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::map<std::string, std::string> headers;

  static HttpResponse json(int status, const nlohmann::json& value);
  // OpenAI's error shape: {"error": {"message", "type", "code", "param"}}.
  static HttpResponse error(int status, const std::string& code, const std::string& message);
};

// Splits "a=1&b=x%20y" into decoded pairs.
std::map<std::string, std::string> parse_query(const std::string& query);
std::string url_decode(const std::string& text);

}  // namespace tektra
