// Process-wide logging setup (spdlog); modules log through spdlog's default logger.
#pragma once

#include <spdlog/spdlog.h>
#include <string>

namespace tektra {

// level: trace|debug|info|warn|error|off. json: one JSON object per line on stderr.
void configure_logging(const std::string& level, bool json);

}  // namespace tektra
