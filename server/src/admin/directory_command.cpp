#include "admin/directory_command.hpp"

#include <algorithm>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include <draaischijf/certs/authority.hpp>
#include <draaischijf/protocol/directory_bundle.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/core/config.hpp>
#include <draaischijf/server/store/directory.hpp>
#include <draaischijf/server/store/directory_bundles.hpp>
#include <draaischijf/server/store/organisation_removal.hpp>

#include "admin/command_words.hpp"
#include "admin/hub_database.hpp"
#include "core/key_file.hpp"

namespace draaischijf::server {
namespace {

namespace fs = std::filesystem;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

// "--name VALUE" pairs after the subcommand and nothing else; `repeatable` options may come
// more than once, every other option once, and an option not known is refused (never ignored).
std::optional<Words> options_of(const std::vector<std::string_view>& args,
                                std::initializer_list<std::string_view> known,
                                std::initializer_list<std::string_view> repeatable,
                                std::ostream& err) {
  Words words;
  if (args.empty() || !parse_words(args, known, {}, args.front(), "draaischijf-hub --help", words,
                                   err, repeatable)) {
    return std::nullopt;
  }
  if (!words.positional.empty()) {
    err << "error: " << args.front() << " takes --option VALUE pairs, not "
        << words.positional.front() << "; run draaischijf-hub --help\n";
    return std::nullopt;
  }
  return words;
}

// The hub's directory behind the configuration file, opened beside a running hub (SQLite's
// locking orders the writers).
struct OpenDirectory {
  std::shared_ptr<Storage> storage;
  std::unique_ptr<SqliteDirectory> directory;
};

std::optional<OpenDirectory> open_directory(const std::string& config_path, std::ostream& err) {
  const auto config = command_config(config_path, err);
  auto storage = config ? open_hub_database(*config, WhenNoDatabase::refuse, err) : nullptr;
  if (!storage) {
    return std::nullopt;
  }
  return OpenDirectory{storage, std::make_unique<SqliteDirectory>(storage)};
}

std::optional<protocol::Id> parse_org_id(std::string_view text) {
  const auto bytes = protocol::hex_decode(text);
  if (!bytes || bytes->size() != 16) {
    return std::nullopt;
  }
  protocol::Id id{};
  std::copy(bytes->begin(), bytes->end(), id.begin());
  return id;
}

// The change the options ask for, or the usage message that says what is wrong.
std::optional<OrganisationProfileChange> profile_change(const Words& options, std::ostream& err) {
  OrganisationProfileChange change;
  if (const auto province = options.given("province")) {
    change.province = protocol::parse_name<protocol::Province>(*province);
    if (!change.province) {
      err << "error: --province takes one of: " << protocol::joined_names<protocol::Province>()
          << "\n";
      return std::nullopt;
    }
  }
  change.municipality = options.given("municipality");
  if (change.municipality && !change.municipality->empty() &&
      !protocol::is_valid_municipality(*change.municipality)) {
    err << "error: --municipality takes 1 to 100 bytes of UTF-8 without control characters "
           "(\"\" clears it)\n";
    return std::nullopt;
  }
  if (const auto offers = options.all("offer"); !offers.empty()) {
    change.offers.emplace();
    for (const auto& name : offers) {
      if (name == "none" && offers.size() == 1) {
        break;
      }
      const auto offer = protocol::parse_name<protocol::Offer>(name);
      if (!offer) {
        err << "error: --offer takes one of: " << protocol::joined_names<protocol::Offer>()
            << " (repeat it for several; --offer none clears them)\n";
        return std::nullopt;
      }
      change.offers->push_back(*offer);
    }
  }
  if (const auto clb = options.given("clb")) {
    change.clear_clb = *clb == "none";
    change.clb = change.clear_clb ? std::nullopt : parse_org_id(*clb);
    if (!change.clear_clb && !change.clb) {
      err << "error: --clb takes the CLB's organisation id (32 hexadecimal digits), or none\n";
      return std::nullopt;
    }
  }
  return change;
}

void print_profile(std::ostream& out, const Organisation& o) {
  std::string offers;
  for (const auto offer : o.offers) {
    offers += (offers.empty() ? "" : ",") + std::string(protocol::name_of(offer));
  }
  out << "organisation " << protocol::hex_encode(o.org_id) << " (" << protocol::name_of(o.type)
      << ")\n  province      " << (o.province ? protocol::name_of(*o.province) : "-")
      << "\n  municipality  " << (o.municipality.empty() ? "-" : o.municipality)
      << "\n  offers        " << (offers.empty() ? "-" : offers) << "\n";
  if (o.type == protocol::OrgType::school) {
    out << "  clb           " << (o.clb ? protocol::hex_encode(*o.clb) : "-") << "\n";
  }
}

protocol::BundleOrganisation bundled(const Organisation& o) {
  return {o.org_id, o.type, o.name, o.signing_key, o.province, o.municipality, o.offers, o.clb};
}

}  // namespace

int org_set_command(const std::vector<std::string_view>& args, std::ostream& out, std::ostream& err,
                    const protocol::Clock& clock) {
  constexpr std::string_view kSynopsis =
      "usage: draaischijf-hub org set --config FILE --org-id HEX [--province P] "
      "[--municipality M] [--offer X]... [--clb ORG_ID|none]\n";
  const auto options =
      options_of(args, {"config", "org-id", "province", "municipality", "clb"}, {"offer"}, err);
  const auto org_id = options ? parse_org_id(options->given("org-id").value_or("")) : std::nullopt;
  if (!options || !org_id || !options->given("config")) {
    err << kSynopsis;
    return kUsage;
  }
  const auto change = profile_change(*options, err);
  if (!change) {
    return kUsage;
  }
  if (options->count() == 2) {  // --config and --org-id only: an audit row for nothing
    err << "error: org set changes nothing without --province, --municipality, --offer or "
           "--clb\n"
        << kSynopsis;
    return kUsage;
  }
  auto open = open_directory(*options->given("config"), err);
  if (!open) {
    return kUsage;
  }
  auto& directory = *open->directory;
  const auto now_ms = clock.now_ms();
  auto changed = directory.wait([&](auto done) {
    return directory.change_organisation_profile(*org_id, *change, now_ms, done);
  });
  if (!changed) {
    err << "error: changing the organisation: " << changed.error().message() << "\n";
    if (changed.error() == directory_errc::offer_not_allowed && change->offers) {
      for (const auto offer : *change->offers) {
        std::string types;
        for (const auto type : protocol::offered_by(offer)) {
          types += (types.empty() ? "" : ", ") + std::string(protocol::name_of(type));
        }
        err << "  " << protocol::name_of(offer) << " is offered by: " << types << "\n";
      }
    } else {
      err << "  check --org-id (org add registers it first) and --clb (a CLB's organisation "
             "id, for a school)\n";
    }
    return kFailed;
  }
  auto recorded = directory.organisation(*org_id);
  if (recorded) {
    print_profile(out, *recorded);
  }
  return 0;
}

int org_remove_command(const std::vector<std::string_view>& args, std::ostream& out,
                       std::ostream& err, const protocol::Clock& clock) {
  const std::string synopsis =
      "usage: draaischijf-hub org remove ORG_ID --config FILE --reason REASON\n"
      "  REASON: " +
      protocol::removal_reason_names() + "\n";
  // "remove ORG_ID --option VALUE ...": the id comes first, the pairs follow it.
  const auto id = args.size() >= 2 ? parse_org_id(args[1]) : std::nullopt;
  std::vector<std::string_view> rest{"remove"};
  if (args.size() > 2) {
    rest.insert(rest.end(), args.begin() + 2, args.end());
  }
  const auto options = options_of(rest, {"config", "reason"}, {}, err);
  if (!id || !options || !options->given("config") || !options->given("reason")) {
    err << (id ? "" : "error: org remove takes the organisation id (32 hexadecimal digits) first\n")
        << synopsis;
    return kUsage;
  }
  const auto reason = protocol::parse_removal_reason(*options->given("reason"));
  if (!reason) {
    err << "error: --reason takes one of: " << protocol::removal_reason_names() << "\n";
    return kUsage;
  }
  auto open = open_directory(*options->given("config"), err);
  if (!open) {
    return kUsage;
  }
  auto known = open->directory->organisation(*id);
  const auto now_ms = clock.now_ms();
  std::promise<sqlite::Result<void>> promise;
  auto future = promise.get_future();
  if (!remove_organisation_by_operator(*open->storage, *id, *reason, now_ms,
                                       [&promise](auto result) { promise.set_value(result); })) {
    err << "error: the hub's writer is busy; try again\n";
    return kFailed;
  }
  if (const auto removed = future.get(); !removed) {
    err << "error: removing the organisation: " << removed.error().message() << "\n"
        << (removed.error() == directory_errc::not_found
                ? "  check the id: draaischijf-hub directory bundle lists every organisation\n"
                : "  nothing was changed\n");
    return kFailed;
  }
  out << "removed organisation " << protocol::hex_encode(*id);
  if (known) {
    out << " (" << protocol::name_of(known->type) << ") " << known->name;
  }
  out << ", reason " << protocol::name_of(*reason)
      << ".\nIts devices are refused from now on and its mailboxes take nothing; what waits in "
         "them expires under [retention]. Publish a new directory bundle (draaischijf-hub "
         "directory bundle) so that devices unpin it.\n";
  return 0;
}

int directory_bundle_command(const std::vector<std::string_view>& args, std::ostream& out,
                             std::ostream& err, const protocol::Clock& clock) {
  const auto options = options_of(args, {"config", "key", "out"}, {}, err);
  if (!options || !options->given("config") || !options->given("key") || !options->given("out") ||
      args.empty() || args[0] != "bundle") {
    err << "usage: draaischijf-hub directory bundle --config FILE --key POLICY_SIGNING_KEY "
           "--out BUNDLE\n";
    return kUsage;
  }
  const fs::path out_path = *options->given("out");
  if (fs::exists(out_path)) {
    err << "error: " << out_path.string()
        << " exists already; a bundle is never overwritten: give a new name\n";
    return kFailed;
  }
  std::string problem;
  const auto key = read_operator_signing_key(*options->given("key"), "policy-signing.pub", problem);
  if (!key) {
    err << "error: " << *options->given("key") << " " << problem
        << "; --key takes the operator's policy-signing.key (the key that signs the rule set)\n";
    return kFailed;
  }
  auto open = open_directory(*options->given("config"), err);
  if (!open) {
    return kUsage;
  }
  const auto now_ms = clock.now_ms();
  const BundleSigner sign = [&](std::uint64_t sequence, const std::vector<Organisation>& orgs,
                                const std::vector<protocol::BundleRemoval>& removals) {
    protocol::DirectoryBundle bundle{sequence, static_cast<std::uint64_t>(now_ms), {}, removals};
    for (const auto& o : orgs) {
      bundle.organisations.push_back(bundled(o));
    }
    return protocol::sign_directory_bundle(std::move(bundle), *key);
  };
  std::promise<sqlite::Result<std::vector<std::uint8_t>>> promise;
  auto future = promise.get_future();
  if (!publish_directory_bundle(*open->storage, sign, now_ms, [&promise](auto result) {
        promise.set_value(std::move(result));
      })) {
    err << "error: the hub's writer is busy; try again\n";
    return kFailed;
  }
  const auto bytes = future.get();
  if (!bytes) {
    err << "error: making the bundle: " << bytes.error().message() << "\n";
    return kFailed;
  }
  if (auto written = certs::write_file_atomically(
          out_path, std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
      !written) {
    err << "error: cannot write " << out_path.string() << ": " << written.error().message() << "\n";
    return kFailed;
  }
  const auto reopened = protocol::open_directory_bundle(*bytes, key->public_key());
  const auto key_id = key->key_id();
  out << "directory bundle " << out_path.string() << ": sequence "
      << (reopened ? reopened->sequence : 0) << ", "
      << (reopened ? reopened->organisations.size() : 0) << " organisations, "
      << (reopened ? reopened->removals.size() : 0) << " removed, signed by the operator key "
      << protocol::hex_encode(std::span(key_id).first(8))
      << "...\nDevices import it with: draaischijf trust import " << out_path.string() << "\n";
  return 0;
}

}  // namespace draaischijf::server
