// Crash durability: a process killed with SIGKILL loses no message whose append had returned.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "store/store.h"
#include "support/temp_dir.h"
#include "support/thrown.h"

namespace tektra {
namespace {

// Reads exactly one id; false at end of stream. Pipe writes of 8 bytes are atomic, but a read
// interrupted by a signal is retried rather than mistaken for the end.
bool read_id(int fd, int64_t& id) {
  char* out = reinterpret_cast<char*>(&id);
  size_t got = 0;
  while (got < sizeof(id)) {
    ssize_t n = read(fd, out + got, sizeof(id) - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  return true;
}

// Child process body: append until killed, reporting each acknowledged id. Exits with a distinct
// code on any failure so the parent can tell "finished or failed" from "was killed".
[[noreturn]] void append_until_killed(const std::filesystem::path& path,
                                      const std::string& conversation_id, int fd) {
  try {
    auto store = open_sqlite_store(path);
    for (int i = 0; i < 1'000'000; ++i) {
      int64_t id =
          store->append_message(conversation_id, "user", "message " + std::to_string(i)).id;
      if (write(fd, &id, sizeof(id)) != static_cast<ssize_t>(sizeof(id))) _exit(3);
    }
  } catch (...) {
    _exit(2);
  }
  _exit(0);
}

// Forks a child appending to `conversation_id`, SIGKILLs it once it has acknowledged
// `kill_after` messages (it is usually inside its next commit by then) and returns, in order,
// every id it acknowledged, including those still in the pipe when it died.
void run_child_until_killed(const std::filesystem::path& path, const std::string& conversation_id,
                            size_t kill_after, std::vector<int64_t>& acknowledged) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    append_until_killed(path, conversation_id, fds[1]);
  }
  close(fds[1]);
  int64_t id = 0;
  while (acknowledged.size() < kill_after && read_id(fds[0], id)) acknowledged.push_back(id);
  ASSERT_EQ(kill(child, SIGKILL), 0);
  while (read_id(fds[0], id)) acknowledged.push_back(id);
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "child was not killed mid-stream (wait status " << status << ")";
  ASSERT_GE(acknowledged.size(), kill_after) << "child stopped before being killed";
}

TEST(StoreDurability, AcknowledgedAppendsSurviveSigkill) {
  test::TempDir dir;
  auto path = dir.file("store.db");
  std::string conversation_id;
  {
    auto store = open_sqlite_store(path);
    conversation_id = store->create_conversation("crash").id;
  }  // no connection may cross fork(): SQLite's POSIX locks belong to the process

  // Several crashes into the same file, each recovered by the next open, at different points.
  size_t acknowledged_total = 0;
  size_t crashes = 0;
  for (size_t kill_after : {1u, 37u, 150u, 300u}) {
    SCOPED_TRACE("killed after " + std::to_string(kill_after));
    std::vector<int64_t> acknowledged;
    ASSERT_NO_FATAL_FAILURE(
        run_child_until_killed(path, conversation_id, kill_after, acknowledged));
    acknowledged_total += acknowledged.size();
    ++crashes;

    auto store = open_sqlite_store(path);
    std::map<int64_t, std::string> stored;
    for (const auto& m : store->messages(conversation_id)) stored[m.id] = m.text;
    for (size_t i = 0; i < acknowledged.size(); ++i) {
      auto found = stored.find(acknowledged[i]);
      ASSERT_NE(found, stored.end()) << "acknowledged message " << i << " lost";
      EXPECT_EQ(found->second, "message " + std::to_string(i));
    }
    // Besides what was acknowledged, each child may have committed one message whose id it had
    // not yet written to the pipe when it died; nothing else may appear.
    EXPECT_LE(stored.size(), acknowledged_total + crashes);
    std::printf("[ measure  ] child killed after %zu acknowledged appends: all present\n",
                acknowledged.size());
  }
}

}  // namespace
}  // namespace tektra
