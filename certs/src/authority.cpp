#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <draaischijf/certs/authority.hpp>

namespace draaischijf::certs {
namespace {

namespace fs = std::filesystem;

bool is_hex(std::string_view text) {
  return !text.empty() && text.size() <= 64 &&
         text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Result<void> append_line(const fs::path& path, const std::string& line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return make_error_code(errc::file_failed);
  }
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  return ok ? Result<void>() : make_error_code(errc::file_failed);
}

// Creates the CA folder (which must not exist) and writes its certificate and key.
Result<Authority> create(const fs::path& dir, CertificatePtr certificate, KeyPtr key) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    return make_error_code(errc::already_exists);
  }
  fs::create_directories(dir, ec);
  if (ec) {
    return make_error_code(errc::file_failed);
  }
  fs::permissions(dir, fs::perms::owner_all, ec);
  if (auto written = write_private_key_file(key.get(), (dir / "ca.key").string()); !written) {
    return written.error();
  }
  if (auto written = write_file_atomically(dir / "ca.pem", certificate_to_pem(certificate.get()));
      !written) {
    return written.error();
  }
  return Authority::load(dir);
}

}  // namespace

Result<void> write_file_atomically(const fs::path& path, std::string_view text) {
  const fs::path temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return make_error_code(errc::file_failed);
  }
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    return make_error_code(errc::file_failed);
  }
  return {};
}

Result<std::string> read_text_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) {
    return make_error_code(errc::file_failed);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<Authority> Authority::create_root(const fs::path& dir, std::string_view common_name,
                                         const Validity& validity) {
  auto key = generate_p256_key();
  if (!key) {
    return key.error();
  }
  auto certificate = issue_root_ca(key->get(), common_name, validity);
  if (!certificate) {
    return certificate.error();
  }
  return create(dir, std::move(*certificate), std::move(*key));
}

Result<Authority> Authority::create_organisation(const fs::path& dir, const Authority& root,
                                                 std::string_view org_id,
                                                 std::string_view common_name,
                                                 const Validity& validity) {
  auto key = generate_p256_key();
  if (!key) {
    return key.error();
  }
  auto certificate = issue_organisation_ca(key->get(), org_id, common_name, root.certificate(),
                                           root.key(), validity);
  if (!certificate) {
    return certificate.error();
  }
  return create(dir, std::move(*certificate), std::move(*key));
}

Result<Authority> Authority::load(const fs::path& dir) {
  auto certificate_pem = read_text_file(dir / "ca.pem");
  auto key_pem = read_text_file(dir / "ca.key");
  if (!certificate_pem || !key_pem) {
    return make_error_code(errc::file_failed);
  }
  auto certificate = certificate_from_pem(*certificate_pem);
  if (!certificate) {
    return certificate.error();
  }
  auto key = private_key_from_pem(*key_pem);
  if (!key) {
    return key.error();
  }
  if (X509_check_private_key(certificate->get(), key->get()) != 1) {
    return make_error_code(errc::key_invalid);
  }
  return Authority(dir, std::move(*certificate), std::move(*key));
}

Result<CertificatePtr> Authority::issue_device(EVP_PKEY* key, const DeviceIdentity& identity,
                                               const Validity& validity) const {
  return issue_device_certificate(key, identity, certificate(), this->key(), validity);
}

Result<CertificatePtr> Authority::issue_server(EVP_PKEY* key, const std::vector<std::string>& names,
                                               const Validity& validity) const {
  return issue_server_certificate(key, names, certificate(), this->key(), validity);
}

Result<void> Authority::revoke(std::string_view serial, std::chrono::system_clock::time_point at) {
  if (!is_hex(serial)) {
    return make_error_code(errc::serial_invalid);
  }
  return append_line(
      dir_ / "revoked.txt",
      std::string(serial) + " " + std::to_string(std::chrono::system_clock::to_time_t(at)) + "\n");
}

Result<std::vector<Revocation>> Authority::revoked() const {
  std::vector<Revocation> out;
  std::ifstream in(dir_ / "revoked.txt");
  std::string serial;
  long long at = 0;
  while (in >> serial >> at) {
    if (!is_hex(serial)) {
      return make_error_code(errc::serial_invalid);
    }
    out.push_back({serial, std::chrono::system_clock::from_time_t(static_cast<std::time_t>(at))});
  }
  if (!in.eof() && in.fail() && fs::exists(dir_ / "revoked.txt")) {
    return make_error_code(errc::file_failed);
  }
  return out;
}

Result<CrlPtr> Authority::next_crl(const Validity& validity) {
  auto revocations = revoked();
  if (!revocations) {
    return revocations.error();
  }
  std::uint64_t number = 0;
  if (auto text = read_text_file(dir_ / "crl-number")) {
    number = std::strtoull(text->c_str(), nullptr, 10);
  }
  ++number;
  if (auto written = write_file_atomically(dir_ / "crl-number", std::to_string(number) + "\n");
      !written) {
    return written.error();
  }
  return issue_crl(certificate(), key(), *revocations, validity, number);
}

Result<void> publish_crls(const PkiLayout& layout, std::chrono::hours lifetime) {
  std::error_code ec;
  fs::create_directories(layout.crl_dir(), ec);
  if (ec) {
    return make_error_code(errc::file_failed);
  }
  std::vector<std::pair<fs::path, std::string>> authorities = {{layout.root(), "root"}};
  for (const auto& entry : fs::directory_iterator(layout.dir / "orgs", ec)) {
    authorities.emplace_back(entry.path(), entry.path().filename().string());
  }
  for (const auto& [dir, name] : authorities) {
    auto authority = Authority::load(dir);
    if (!authority) {
      return authority.error();
    }
    auto crl = authority->next_crl(Validity::starting_now(lifetime));
    if (!crl) {
      return crl.error();
    }
    if (auto written =
            write_file_atomically(layout.crl_dir() / (name + ".crl.pem"), crl_to_pem(crl->get()));
        !written) {
      return written.error();
    }
  }
  return {};
}

}  // namespace draaischijf::certs
