#pragma once

// Runs a program to its end as a separate process, as people run the draaischijf and
// draaischijf-hub binaries, with its output captured in files (no pipes to fill up).

#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace draaischijf::testing {

struct ProcessResult {
  int exit = -1;  // -1: it did not exit normally
  std::string out;
  std::string err;
  long peak_rss_kib = 0;  // the process's own peak resident memory
};

struct ProcessOptions {
  std::filesystem::path cwd;  // empty: the test's own working directory
  /// Set in the child's environment; an empty value unsets the variable.
  std::vector<std::pair<std::string, std::string>> env;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Starts argv[0] (a path, or a name looked up in PATH) with stdin from /dev/null and its
/// output going to files (no pipes to fill up).
inline pid_t start_program(const std::vector<std::string>& argv, const std::filesystem::path& out,
                           const std::filesystem::path& err, const ProcessOptions& options = {}) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int in = ::open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(o, 1);
    dup2(e, 2);
    for (const auto& [name, value] : options.env) {
      if (value.empty()) {
        unsetenv(name.c_str());
      } else {
        setenv(name.c_str(), value.c_str(), 1);
      }
    }
    if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) {
      _exit(126);
    }
    std::vector<char*> args;
    for (const auto& a : argv) {
      args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

/// Runs a program to its end; its output goes through files in `dir`.
inline ProcessResult run_program(const std::filesystem::path& dir,
                                 const std::vector<std::string>& argv,
                                 const ProcessOptions& options = {}) {
  const auto out = dir / "process.out";
  const auto err = dir / "process.err";
  const pid_t pid = start_program(argv, out, err, options);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err), usage.ru_maxrss};
}

}  // namespace draaischijf::testing
