// draaischijf admin pending|devices|staff|approve|remove|add-member|remove-member|
// create-mailbox|rotate|renew|pupil-key|export-key: the organisation admin's device.

#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include <draaischijf/client/client.hpp>

#include "commands.hpp"
#include "common.hpp"

namespace draaischijf::cli {
namespace {

namespace json = boost::json;
using enum Exit;
using protocol::Id;

constexpr std::string_view kAdminUsage =
    "admin pending | devices | approve DEVICE --fingerprint F (--person STAFF_ID | --new-person) "
    "| remove DEVICE | create-mailbox NAME --function ROLE|general [--member DEVICE]... | rotate "
    "MAILBOX | renew | pupil-key DEVICE | export-key MAILBOX [--epoch N] | monitor [--acknowledge "
    "INDEX]...";

// The DEVICE or MAILBOX word of `admin SUB ID` (exactly one), or nullopt.
std::optional<Id> target_of(const Arguments& args) {
  const auto& words = args.positional();
  return words.size() == 3 ? parse_id(words[2]) : std::nullopt;
}

// `admin SUB ID`: `act` with the client, the id and the word it was written as; a usage error
// without exactly one id.
template <class Act>
int on_target(const Invocation& call, Act act) {
  const auto target = target_of(call.args);
  if (!target) {
    return usage_error(std::string(kAdminUsage));
  }
  return act(*call.client, *target, call.args.positional()[2]);
}

// The ids of a repeated option (--member, --mailbox), or nullopt when one is not an id.
std::optional<std::vector<Id>> ids_of(const Arguments& args, const std::string& option) {
  std::vector<Id> ids;
  for (const auto& word : args.values(option)) {
    const auto id = parse_id(word);
    if (!id) {
      return std::nullopt;
    }
    ids.push_back(*id);
  }
  return ids;
}

// The --function of create-mailbox: a staff role name, or "general" for no specific role. It
// is required: which staff the mailbox serves decides what the policy lets reach it.
std::optional<protocol::MailboxFunction> function_of(const Arguments& args) {
  const auto word = args.value("function");
  if (!word) {
    return std::nullopt;
  }
  if (*word == "general") {
    return std::optional<protocol::MailboxFunction>(std::in_place);  // chosen: no role
  }
  const auto role = protocol::parse_name<protocol::StaffRole>(*word);
  return role ? std::optional<protocol::MailboxFunction>(role) : std::nullopt;
}

// The person of `admin approve`: exactly one of --person STAFF_ID and --new-person, so that a
// second device of someone is never certified as a new person by leaving the option out.
std::optional<client::Person> person_of(const Arguments& args) {
  const auto staff = args.value("person");
  if (staff.has_value() == args.flag("new-person")) {
    return std::nullopt;
  }
  if (!staff) {
    return client::Person::new_person();
  }
  const auto id = parse_id(*staff);
  return id ? std::optional(client::Person::existing(*id)) : std::nullopt;
}

// admin approve DEVICE --fingerprint F (--person STAFF_ID | --new-person) [--mailbox M]...
int approve(const Arguments& args, client::Client& client, const Id& device,
            const std::string& word) {
  const auto print = args.value("fingerprint");
  if (!print) {
    return usage_error(
        "admin approve DEVICE --fingerprint F: compare the fingerprint the new "
        "device shows (draaischijf whoami) and type it here");
  }
  const auto person = person_of(args);
  if (!person) {
    return usage_error(
        "admin approve DEVICE needs --person STAFF_ID (32 hex digits, a person listed by "
        "`admin devices`) for a further device of someone, or --new-person");
  }
  const auto mailboxes = ids_of(args, "mailbox");
  if (!mailboxes) {
    return usage_error("--mailbox takes a mailbox id (32 hex digits)");
  }
  if (auto approved =
          client.administration().approve_enrolment(device, *print, *person, *mailboxes);
      !approved) {
    return fail(approved.error(), &client);
  }
  std::cout << "approved " << word << "; added to " << mailboxes->size() << " mailbox(es)\n";
  return kOk;
}

// admin export-key MAILBOX [--epoch N]: the current epoch's key unless --epoch says another.
int export_key(const Arguments& args, client::Client& client, const Id& mailbox) {
  auto certificate = client.directory().mailbox_certificate(mailbox);
  if (!certificate) {
    return fail(certificate.error(), &client);
  }
  const auto epoch = args.value("epoch") ? std::strtoul(args.value("epoch")->c_str(), nullptr, 10)
                                         : certificate->epoch;
  auto identity =
      client.administration().export_mailbox_key(mailbox, static_cast<std::uint32_t>(epoch));
  if (!identity) {
    return fail(identity.error(), &client);
  }
  // The secret goes to stdout only, because the user asked for it; nothing else is printed.
  std::cout << identity->expose_secret_string() << "\n";
  return kOk;
}

// A listing of the admin's: a JSON array with --json, else one line per item.
template <class Item, class ToJson, class ToLine>
int print_listing(const Invocation& call, const protocol::Result<std::vector<Item>>& items,
                  ToJson to_json, ToLine to_line) {
  if (!items) {
    return fail(items.error(), call.client);
  }
  json::array out;
  for (const auto& item : *items) {
    if (call.context.json_output) {
      out.push_back(to_json(item));
    } else {
      std::cout << to_line(item) << "\n";
    }
  }
  if (call.context.json_output) {
    print_json(out);
  }
  return kOk;
}

}  // namespace

namespace {

// What a pending device claims about its person, against the organisation's own certificates.
std::string claim_line(const client::PendingDevice& p) {
  if (!p.claimed_person) {
    return "claims no person: approve with --new-person, or ask whose device it is";
  }
  const auto person = hex(*p.claimed_person);
  if (p.claimed_person_devices == 0) {
    return "claims person " + person +
           ", whom no enrolled device has: compare, then --new-person (a typo?)";
  }
  const std::string known = "claims person " + person + " (" + p.claimed_person_role + ", " +
                            std::to_string(p.claimed_person_devices) + " device(s))";
  if (p.claimed_person_role != p.role) {
    return known + ": ROLE DIFFERS, the hub refuses a second role for a person";
  }
  return known + ": compare, then --person " + person;
}

}  // namespace

int admin_pending_command(const Invocation& call) {
  return print_listing(
      call, call.client->administration().pending_enrolments(),
      [](const client::PendingDevice& p) {
        json::object out{
            {"device_id", hex(p.device_id)}, {"role", p.role}, {"fingerprint", p.fingerprint}};
        if (p.claimed_person) {
          out["claimed_person"] = hex(*p.claimed_person);
          out["claimed_person_devices"] = p.claimed_person_devices;
          if (p.claimed_person_devices > 0) {
            out["claimed_person_role"] = p.claimed_person_role;
          }
        }
        return out;
      },
      [](const client::PendingDevice& p) {
        return hex(p.device_id) + "  claims " + p.role + "  fingerprint " + p.fingerprint + "\n  " +
               claim_line(p);
      });
}

int admin_devices_command(const Invocation& call) {
  return print_listing(
      call, call.client->administration().devices(),
      [](const client::OrganisationDevice& d) {
        return json::object{
            {"device_id", hex(d.device_id)}, {"role", d.role}, {"person", hex(d.person)}};
      },
      [](const client::OrganisationDevice& d) {
        return hex(d.device_id) + "  " + d.role + "  person " + hex(d.person);
      });
}

int admin_approve_command(const Invocation& call) {
  return on_target(call,
                   [&call](client::Client& client, const Id& device, const std::string& word) {
                     return approve(call.args, client, device, word);
                   });
}

int admin_remove_command(const Invocation& call) {
  return on_target(call, [](client::Client& client, const Id& device, const std::string& word) {
    auto rotated = client.administration().remove_member(device);
    if (!rotated) {
      return fail(rotated.error(), &client);
    }
    std::cout << "removed " << word << "; rotated " << rotated->size() << " mailbox(es)\n";
    return int{kOk};
  });
}

int admin_pupil_key_command(const Invocation& call) {
  return on_target(call, [](client::Client& client, const Id& device, const std::string& word) {
    if (auto sent = client.administration().send_pupil_key(device); !sent) {
      return fail(sent.error(), &client);
    }
    std::cout << "left the organisation's pupil key for " << word << ", sealed to its key\n";
    return int{kOk};
  });
}

int admin_rotate_command(const Invocation& call) {
  return on_target(call, [](client::Client& client, const Id& mailbox, const std::string& word) {
    auto epoch = client.administration().rotate(mailbox);
    if (!epoch) {
      return fail(epoch.error(), &client);
    }
    std::cout << "mailbox " << word << " is now at epoch " << *epoch << "\n";
    return int{kOk};
  });
}

// admin rename-mailbox MAILBOX --name NEW: the display name only; the epoch stays.
int admin_rename_mailbox_command(const Invocation& call) {
  const auto& words = call.args.positional();
  const auto mailbox = words.size() == 3 ? parse_id(words[2]) : std::nullopt;
  const auto name = call.args.value("name");
  if (auto bad = call.args.unknown({"name"}); !bad.empty()) {
    return usage_error(bad);
  }
  if (!mailbox || !name) {
    return usage_error(
        "admin rename-mailbox MAILBOX --name NEW: MAILBOX 32 hex digits, NEW 1 to 200 bytes of "
        "text without control, bidi or line-separator characters");
  }
  auto& client = *call.client;
  if (auto renamed = client.administration().rename_mailbox(*mailbox, *name); !renamed) {
    return fail(renamed.error(), &client);
  }
  if (call.context.json_output) {
    print_json({{"mailbox_id", hex(*mailbox)}, {"name", *name}});
  } else {
    std::cout << "mailbox " << hex(*mailbox) << " is now named " << *name << "\n";
  }
  return kOk;
}

// admin create-mailbox NAME --function ROLE|general [--member DEVICE]...
int admin_create_mailbox_command(const Invocation& call) {
  const auto& words = call.args.positional();
  const auto function = function_of(call.args);
  const auto members = ids_of(call.args, "member");
  if (auto bad = call.args.unknown({"function", "member"}); !bad.empty()) {
    return usage_error(bad);
  }
  if (words.size() != 3 || !function || !members) {
    return usage_error(
        "admin create-mailbox NAME --function ROLE|general [--member DEVICE]...: ROLE is the "
        "staff role the mailbox serves (clb_psycholoog, ...; every member must have it), "
        "general a mailbox for any member; DEVICE 32 hex digits");
  }
  auto& client = *call.client;
  auto created = client.administration().create_mailbox(words[2], *function, *members);
  if (!created) {
    return fail(created.error(), &client);
  }
  if (call.context.json_output) {
    print_json({{"mailbox_id", hex(*created)}});
  } else {
    std::cout << "created mailbox " << hex(*created) << "\n";
  }
  return kOk;
}

namespace {

// admin add-member|remove-member MAILBOX DEVICE: a new epoch of the mailbox with or without the
// device; the device itself stays enrolled.
int change_member(const Invocation& call, bool add) {
  const auto& words = call.args.positional();
  const auto mailbox = words.size() == 4 ? parse_id(words[2]) : std::nullopt;
  const auto device = words.size() == 4 ? parse_id(words[3]) : std::nullopt;
  if (!mailbox || !device) {
    return usage_error(std::string("admin ") + (add ? "add-member" : "remove-member") +
                       " MAILBOX DEVICE (32 hex digits each)");
  }
  auto& client = *call.client;
  if (!add && *device == client.device().device_id) {
    std::cerr << "error: this admin device stays a member of the mailboxes it manages (it holds "
                 "the key their next rotation needs); remove another device\n";
    return kFailed;
  }
  auto administration = client.administration();
  auto epoch = add ? administration.add_to_mailbox(*mailbox, *device)
                   : administration.remove_from_mailbox(*mailbox, *device);
  if (!epoch) {
    return fail(epoch.error(), &client);
  }
  if (!*epoch) {
    std::cout << words[3] << (add ? " is a member of " : " is no member of ") << words[2]
              << " already; nothing changed\n";
  } else {
    std::cout << (add ? "added " : "took ") << words[3] << (add ? " to " : " out of ") << words[2]
              << "; the mailbox is now at epoch " << **epoch << "\n";
  }
  return kOk;
}

}  // namespace

int admin_add_member_command(const Invocation& call) { return change_member(call, true); }
int admin_remove_member_command(const Invocation& call) { return change_member(call, false); }

// admin staff: the organisation's persons, each with its staff id, its role and its devices.
int admin_staff_command(const Invocation& call) {
  auto devices = call.client->administration().devices();
  if (!devices) {
    return fail(devices.error(), call.client);
  }
  struct Staff {
    std::set<std::string> roles;
    std::vector<std::string> devices;
  };
  std::map<protocol::Id, Staff> staff;
  for (const auto& device : *devices) {
    staff[device.person].roles.insert(device.role);
    staff[device.person].devices.push_back(hex(device.device_id));
  }
  json::array out;
  for (const auto& [person, entry] : staff) {
    std::string roles;
    for (const auto& role : entry.roles) {
      roles += (roles.empty() ? "" : ",") + role;
    }
    if (call.context.json_output) {
      json::array ids(entry.devices.begin(), entry.devices.end());
      out.push_back({{"staff_id", hex(person)}, {"role", roles}, {"devices", std::move(ids)}});
    } else {
      std::cout << hex(person) << "  " << roles << "  " << entry.devices.size() << " device(s)\n";
    }
  }
  if (call.context.json_output) {
    print_json(out);
  }
  return kOk;
}

int admin_renew_command(const Invocation& call) {
  auto& client = *call.client;
  auto renewed = client.administration().renew_expiring();
  if (!renewed) {
    return fail(renewed.error(), &client);
  }
  std::cout << "renewed " << renewed->size() << " mailbox(es) whose key ends within "
            << protocol::kEpochRenewalSeconds / (24 * 3600) << " days\n";
  return kOk;
}

int admin_export_key_command(const Invocation& call) {
  return on_target(call, [&call](client::Client& client, const Id& mailbox, const std::string&) {
    return export_key(call.args, client, mailbox);
  });
}

}  // namespace draaischijf::cli
