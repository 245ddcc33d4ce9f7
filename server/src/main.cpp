// draaischijf-hub: today the envelope admission check the hub runs on every submission; the
// network service (mutual TLS, mailboxes, durable delivery) builds on it.

#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/admission.hpp>

namespace {

constexpr std::string_view kUsage = R"(draaischijf-hub - the Draaischijf hub

Usage:
  draaischijf-hub check-envelope FILE --org ORG_ID_HEX
      Runs the hub's admission checks on an envelope file (size, structure, sender
      organisation, creation time) and prints the outer labels the hub would route on.
  draaischijf-hub --help | --version

Exit codes: 0 admitted, 1 refused, 2 usage error.
)";

int check_envelope(const std::string& path, std::string_view org_hex) {
  auto org = draaischijf::protocol::hex_decode(org_hex);
  if (!org || org->size() != 16) {
    std::cerr << "error: --org takes the 32 hexadecimal digits of an organisation id\n";
    return 2;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "error: cannot open " << path << "; check the path and permissions\n";
    return 2;
  }
  const std::vector<std::uint8_t> envelope((std::istreambuf_iterator<char>(in)),
                                           std::istreambuf_iterator<char>());
  draaischijf::server::AuthenticatedSender sender;
  std::copy(org->begin(), org->end(), sender.org_id.begin());
  auto admitted = draaischijf::server::admit(envelope, sender, std::chrono::system_clock::now(),
                                             draaischijf::server::AdmissionLimits{});
  if (!admitted) {
    std::cout << "refused: " << admitted.error().message() << " ("
              << admitted.error().category().name() << ":" << admitted.error().value() << ")\n";
    return 1;
  }
  const auto& outer = admitted->outer;
  std::cout << "admitted: message " << draaischijf::protocol::to_hex(outer.message_id) << ", kind "
            << draaischijf::protocol::name_of(outer.kind) << ", purpose "
            << draaischijf::protocol::name_of(outer.purpose) << ", " << outer.recipients.size()
            << " recipient mailbox(es), " << envelope.size() << " bytes\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "draaischijf-hub 0.1.0\n";
    return 0;
  }
  if (args[0] == "check-envelope" && args.size() == 4 && args[2] == "--org") {
    return check_envelope(std::string(args[1]), args[3]);
  }
  std::cerr << "error: unknown command; run draaischijf-hub --help\n";
  return 2;
}
