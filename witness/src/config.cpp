#include <stdexcept>
#include <toml++/toml.h>

#include <draaischijf/witness/config.hpp>

namespace draaischijf::witness {
namespace {

[[noreturn]] void refuse(const std::filesystem::path& file, std::string_view key,
                         std::string_view what) {
  throw std::runtime_error(file.string() + ": " + std::string(key) + " " + std::string(what));
}

std::string text_of(const std::filesystem::path& file, const toml::node& node,
                    std::string_view key) {
  const auto* value = node.as_string();
  if (value == nullptr || value->get().empty()) {
    refuse(file, key, "must be a non-empty string");
  }
  return value->get();
}

LogKey log_of(const std::filesystem::path& file, const toml::node& node) {
  const auto* table = node.as_table();
  if (table == nullptr) {
    refuse(file, "[[log]]", "must be a table with origin and vkey");
  }
  LogKey out;
  std::string vkey;
  for (const auto& [key, value] : *table) {
    if (key == "origin") {
      out.origin = text_of(file, value, "log.origin");
    } else if (key == "vkey") {
      vkey = text_of(file, value, "log.vkey");
    } else {
      refuse(file, "log." + std::string(key.str()), "is not a key of [[log]] (origin, vkey)");
    }
  }
  auto parsed = protocol::note::parse_vkey(vkey);
  if (out.origin.empty() || !parsed || parsed->type != protocol::note::kEd25519) {
    refuse(file, "[[log]]",
           "needs origin and vkey, the log's Ed25519 note verifier key "
           "(name+hexid+base64, as the log publishes it)");
  }
  out.key = *parsed;
  return out;
}

}  // namespace

WitnessConfig read_config(const std::filesystem::path& file) {
  toml::table table;
  try {
    table = toml::parse_file(file.string());
  } catch (const toml::parse_error& error) {
    throw std::runtime_error(file.string() +
                             " is not valid TOML: " + std::string(error.description()));
  }
  WitnessConfig out;
  const std::filesystem::path folder = file.parent_path();
  const auto path_of = [&](const toml::node& node, std::string_view key) {
    const std::filesystem::path path = text_of(file, node, key);
    return path.is_absolute() ? path : folder / path;
  };
  out.key_file = folder / out.key_file;
  out.state_file = folder / out.state_file;
  out.tls_certificate = folder / out.tls_certificate;
  out.tls_private_key = folder / out.tls_private_key;
  for (const auto& [key, value] : table) {
    const std::string_view name = key.str();
    if (name == "name") {
      out.name = text_of(file, value, name);
    } else if (name == "listen_address") {
      out.listen_address = text_of(file, value, name);
    } else if (name == "port") {
      const auto* port = value.as_integer();
      if (port == nullptr || port->get() < 0 || port->get() > 65535) {
        refuse(file, name, "must be a port number from 0 to 65535");
      }
      out.port = static_cast<std::uint16_t>(port->get());
    } else if (name == "key_file") {
      out.key_file = path_of(value, name);
    } else if (name == "state_file") {
      out.state_file = path_of(value, name);
    } else if (name == "tls_certificate") {
      out.tls_certificate = path_of(value, name);
    } else if (name == "tls_private_key") {
      out.tls_private_key = path_of(value, name);
    } else if (name == "log") {
      const auto* logs = value.as_array();
      if (logs == nullptr) {
        refuse(file, name, "must be an array of tables, each [[log]] with origin and vkey");
      }
      for (const auto& log : *logs) {
        out.logs.push_back(log_of(file, log));
      }
    } else {
      refuse(file, name,
             "is not a setting of the witness (name, listen_address, port, key_file, state_file, "
             "tls_certificate, tls_private_key, [[log]])");
    }
  }
  // A name the note format accepts: checked by the one vkey parser, not by a second rule here.
  if (out.name.empty() || !protocol::note::parse_vkey(protocol::note::encode_vkey(
                              {out.name, protocol::note::kCosignatureV1, {}}))) {
    refuse(file, "name", "must be a key name: printable ASCII without spaces or '+'");
  }
  return out;
}

std::string initial_config(std::string_view name) {
  return "# draaischijf-witness: see witness/README.md. Relative paths are relative to this "
         "file.\nname = \"" +
         std::string(name) +
         "\"\nlisten_address = \"127.0.0.1\"\nport = 7380\n"
         "key_file = \"witness.key\"\nstate_file = \"witness.db\"\n"
         "tls_certificate = \"tls.pem\"\ntls_private_key = \"tls.key\"\n\n"
         "# One [[log]] per log this witness follows, with the log's origin and note vkey:\n"
         "# [[log]]\n# origin = \"draaischijf-hub/0123456789abcdef/directory\"\n"
         "# vkey = \"draaischijf-hub/0123456789abcdef/directory+01234567+AQ...\"\n";
}

}  // namespace draaischijf::witness
