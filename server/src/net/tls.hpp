#pragma once

// TLS for the listener and who is on the other end: the server context (TLS 1.3 only, a
// client certificate required and checked against the CRLs), why a handshake failed, and the
// mapping of a verified client certificate to a Caller.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <openssl/ssl.h>

#include <draaischijf/server/api/problem.hpp>
#include <draaischijf/server/net/hub.hpp>
#include <draaischijf/server/store/directory.hpp>

#include "core/caller.hpp"

namespace draaischijf::server {

/// Mozilla "modern" with the CRLs in `crl_dir`; throws std::runtime_error naming what to fix.
[[nodiscard]] std::shared_ptr<boost::asio::ssl::context> make_tls_context(
    const TlsMaterial& tls, const std::filesystem::path& crl_dir);

/// Why the handshake failed, in OpenSSL's fixed words (never certificate contents).
[[nodiscard]] std::string_view refusal_reason(SSL* ssl, const boost::system::error_code& error);

/// The serial (lower-case hex) and subject (one line, at most 256 bytes) of the certificate a
/// client presented, also when its chain was refused; both empty when it presented none.
struct PresentedCertificate {
  std::string serial;
  std::string subject;
};
[[nodiscard]] PresentedCertificate presented_certificate(SSL* ssl);

/// The CRLs in `crl_dir` past their nextUpdate, one line each (file, issuer, nextUpdate): with
/// any of them the hub refuses every chain under that CA.
[[nodiscard]] std::vector<std::string> expired_crls(const std::filesystem::path& crl_dir);

/// Every revocation the CRLs in `crl_dir` list, as directory-log entries (kind 6, PROTOCOL.md
/// 13.4). The organisation is the one whose CA `pki crl` wrote the file for (`<org id>.crl.pem`);
/// the root's CRL and files of other names give the all-zero id. Read after make_tls_context
/// accepted the folder, so the files are whole CRLs.
[[nodiscard]] std::vector<std::vector<std::uint8_t>> crl_revocation_entries(
    const std::filesystem::path& crl_dir);

inline constexpr std::string_view kDeviceRemoved = "device-removed";

struct Identity {
  std::optional<Caller> caller;        // set when the connection may go on
  std::string_view refused;            // why not, in fixed words (logged)
  std::optional<ProblemKind> problem;  // told to the client before the connection ends
  std::uint64_t generation = 0;        // the directory's device generation that was read
};

/// The caller a verified client certificate stands for, after the handshake.
[[nodiscard]] Identity identify(Directory& directory, SSL* ssl);

/// Reads the device's state again (it may have been removed since the connection was made);
/// false when it is removed or known under another organisation.
[[nodiscard]] bool check_device(Directory& directory, Caller& caller,
                                std::uint64_t& seen_generation);

}  // namespace draaischijf::server
