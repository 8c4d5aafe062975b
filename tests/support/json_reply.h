// Reading JSON replies and OpenAI-shaped errors in server tests.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/http_client.h"

namespace tektra::test {

// The `data:` events of a Server-Sent Events body, in order ("[DONE]" kept as a string).
inline std::vector<nlohmann::json> sse_events(const std::string& body) {
  std::vector<nlohmann::json> out;
  size_t at = 0;
  while ((at = body.find("data: ", at)) != std::string::npos) {
    const size_t end = body.find("\n\n", at);
    if (end == std::string::npos) break;
    const std::string data = body.substr(at + 6, end - at - 6);
    out.push_back(data == "[DONE]" ? nlohmann::json("[DONE]") : nlohmann::json::parse(data));
    at = end + 2;
  }
  return out;
}

inline nlohmann::json parse_body(const HttpReply& reply) {
  nlohmann::json body = nlohmann::json::parse(reply.body, nullptr, false);
  EXPECT_FALSE(body.is_discarded()) << "not JSON: " << reply.body.substr(0, 300);
  return body;
}

// Checks OpenAI's error shape and returns the code.
inline std::string error_code(const HttpReply& reply) {
  nlohmann::json body = parse_body(reply);
  if (!body.is_object() || !body.contains("error") || !body["error"].is_object()) {
    ADD_FAILURE() << "no error object in: " << reply.body;
    return "";
  }
  const nlohmann::json& e = body["error"];
  EXPECT_TRUE(e.contains("message") && e["message"].is_string() &&
              !e["message"].get<std::string>().empty())
      << reply.body;
  EXPECT_TRUE(e.contains("type") && e["type"].is_string()) << reply.body;
  EXPECT_TRUE(e.contains("code") && e["code"].is_string()) << reply.body;
  return e.value("code", "");
}

}  // namespace tektra::test
