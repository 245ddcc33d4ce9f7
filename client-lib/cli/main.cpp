// draaischijf: the command-line client, built on the client library's public API only.

#include <iostream>
#include <string_view>
#include <vector>

#include <draaischijf/client/walkthrough.hpp>

namespace {

constexpr std::string_view kUsage = R"(draaischijf - the Draaischijf client

Usage:
  draaischijf demo        Runs the protocol walkthrough between a CLB and a CAW, in memory.
  draaischijf --help | --version

Exit codes: 0 success, 1 a check failed, 2 usage error.
)";

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "draaischijf 0.1.0\n";
    return 0;
  }
  if (args[0] == "demo" && args.size() == 1) {
    return draaischijf::client::run_walkthrough(std::cout);
  }
  std::cerr << "error: unknown command '" << args[0] << "'; run draaischijf --help\n";
  return 2;
}
