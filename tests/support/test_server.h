// A real Tektra runtime and server on an ephemeral port, with its data in a temp directory.
#pragma once

#include <functional>
#include <memory>

#include "app/runtime.h"
#include "server/server.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace tektra::test {

// A configuration change that makes the real stories260K fixture the language model, on one
// compute thread. Tests using it call TEKTRA_REQUIRE_FIXTURE("stories260K.gguf") first.
inline std::function<void(Config&)> with_stories260k(int slots, int context,
                                                     std::function<void(Config&)> more = {}) {
  return [=](Config& c) {
    c.llm.model = fixture("stories260K.gguf").string();
    c.llm.slots = slots;
    c.llm.context = context;
    c.llm.threads = 1;
    if (more) more(c);
  };
}

class TestServer {
 public:
  // `adjust` may change the configuration before anything starts.
  explicit TestServer(const std::function<void(Config&)>& adjust = {},
                      const std::filesystem::path& data_dir = {});
  ~TestServer();

  uint16_t port() const { return server_->port(); }
  Runtime& runtime() { return *runtime_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }

 private:
  std::unique_ptr<TempDir> temp_;
  std::filesystem::path data_dir_;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<Server> server_;
};

}  // namespace tektra::test
