// TestServer implementation.
#include "support/test_server.h"

namespace tektra::test {

TestServer::TestServer(const std::function<void(Config&)>& adjust,
                       const std::filesystem::path& data_dir) {
  if (data_dir.empty()) {
    temp_ = std::make_unique<TempDir>();
    data_dir_ = temp_->path();
  } else {
    data_dir_ = data_dir;
  }
  Config config = load_config(std::nullopt, {});
  config.data_dir = data_dir_;
  config.server.port = 0;
  config.agent.intents_dir = (data_dir_ / "intents").string();
  if (adjust) adjust(config);
  runtime_ = std::make_unique<Runtime>(config);
  server_ = std::make_unique<Server>(runtime_->services());
  server_->start();
}

TestServer::~TestServer() {
  server_->stop();
  server_.reset();
  runtime_.reset();
}

}  // namespace tektra::test
