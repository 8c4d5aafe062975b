// Running the real tektra binary from tests: isolated environment, captured output, always reaped.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace tektra::test {

struct ProcessResult {
  bool exited = false;  // ended by exit() rather than a signal
  int exit_code = -1;   // when exited
  int signal = 0;       // when killed by a signal
  bool timed_out = false;
  std::string out;
  std::string err;
};

// The parent's environment without anything that could point the child at the user's own
// configuration (TEKTRA_*, XDG_*), plus `overrides`.
inline std::vector<std::string> child_environment(
    const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    if (name.rfind("TEKTRA_", 0) == 0 || name.rfind("XDG_", 0) == 0 || overrides.count(name))
      continue;
    env.push_back(entry);
  }
  for (const auto& [k, v] : overrides) env.push_back(k + "=" + v);
  return env;
}

// One child process with pipes on stdin and stdout; stderr goes to a pipe too unless a file is
// given (a long-running server must never block on a full, unread stderr pipe). The destructor
// kills (SIGKILL) and reaps a child that is still running, so a failing test leaves nothing behind.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               const std::filesystem::path& stderr_file = {}) {
    std::vector<std::string> env_strings = child_environment(env);
    std::vector<char*> args, envp;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    for (const auto& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    std::string err_path = stderr_file.string();
    ::signal(SIGPIPE, SIG_IGN);  // a child that exits early must not kill the test on write

    int in[2], out[2], err[2] = {-1, -1};
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0)
      throw std::runtime_error("pipe failed");
    if (err_path.empty() && ::pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      // Only async-signal-safe calls from here to exec.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test process
      if (::getppid() != parent) ::_exit(127);
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      if (err_path.empty()) {
        ::dup2(err[1], 2);
      } else {
        int fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) ::dup2(fd, 2);
      }
      ::execve(args[0], args.data(), envp.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    if (err[1] >= 0) ::close(err[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    stderr_ = err[0];
  }

  ~ChildProcess() {
    kill(SIGKILL);
    wait();
    for (int fd : {stdin_, stdout_, stderr_}) {
      if (fd >= 0) ::close(fd);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  void write_stdin(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      ssize_t n = ::write(stdin_, data.data() + sent, data.size() - sent);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
  }
  void close_stdin() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
  }

  // Reads stdout until a whole line containing `needle` arrives; returns that line, or nullopt at
  // EOF or when `timeout` passes.
  std::optional<std::string> read_line_containing(const std::string& needle,
                                                  std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      size_t start = 0, end;
      while ((end = out_.find('\n', start)) != std::string::npos) {
        std::string line = out_.substr(start, end - start);
        start = end + 1;
        if (line.find(needle) != std::string::npos) {
          out_.erase(0, start);
          return line;
        }
      }
      out_.erase(0, start);
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !read_some(stdout_, out_, static_cast<int>(left.count())))
        return std::nullopt;
    }
  }

  // Closes stdin, collects all output and waits for the exit; SIGKILLs the child after `timeout`.
  ProcessResult finish(std::chrono::milliseconds timeout) {
    close_stdin();
    ProcessResult result;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    bool out_open = stdout_ >= 0, err_open = stderr_ >= 0;
    while (out_open || err_open) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        result.timed_out = true;
        break;
      }
      pollfd fds[2] = {{out_open ? stdout_ : -1, POLLIN, 0}, {err_open ? stderr_ : -1, POLLIN, 0}};
      if (::poll(fds, 2, static_cast<int>(left.count())) < 0) break;
      if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
        out_open = drain(stdout_, out_);
      if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
        err_open = drain(stderr_, err_);
    }
    if (result.timed_out) kill(SIGKILL);
    int status = wait();
    result.exited = WIFEXITED(status);
    result.exit_code = result.exited ? WEXITSTATUS(status) : -1;
    result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    result.out = std::move(out_);
    result.err = std::move(err_);
    return result;
  }

  void kill(int sig) {
    if (pid_ > 0 && !reaped_) ::kill(pid_, sig);
  }

  // Reaps the child (blocking); returns its wait status.
  int wait() {
    if (pid_ <= 0 || reaped_) return status_;
    while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    return status_;
  }

 private:
  // One read with a timeout; false at EOF, error or timeout.
  static bool read_some(int fd, std::string& into, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    char buffer[8192];
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return false;
    into.append(buffer, static_cast<size_t>(n));
    return true;
  }
  // Reads what is available; false at EOF.
  static bool drain(int fd, std::string& into) {
    char buffer[65536];
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return n < 0 && errno == EINTR;
    into.append(buffer, static_cast<size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int stdin_ = -1, stdout_ = -1, stderr_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string out_;
  std::string err_;
};

// Runs `argv` to completion with `input` on stdin.
inline ProcessResult run_process(const std::vector<std::string>& argv,
                                 const std::map<std::string, std::string>& env,
                                 const std::string& input = "",
                                 std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
  ChildProcess child(argv, env);
  if (!input.empty()) child.write_stdin(input);
  return child.finish(timeout);
}

}  // namespace tektra::test
