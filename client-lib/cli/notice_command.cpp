#include "notice_command.hpp"

#include <chrono>
#include <iostream>

#include <draaischijf/client/notices.hpp>
#include <draaischijf/policies/date.hpp>

namespace draaischijf::cli {
namespace {

constexpr std::string_view kUsage = "notices [ack ID]";

std::string due_date(std::uint32_t day) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{days{day}}};
  return policies::to_string({static_cast<std::int16_t>(static_cast<int>(ymd.year())),
                              static_cast<std::uint8_t>(static_cast<unsigned>(ymd.month())),
                              static_cast<std::uint8_t>(static_cast<unsigned>(ymd.day()))});
}

// What a notice's subject is, by its type (docs/PROTOCOL.md 8.5).
std::string subject_text(const protocol::HubNotice& n) {
  const std::span<const std::uint8_t> subject(n.subject);
  switch (n.type) {
    case protocol::NoticeType::non_delivery:
    case protocol::NoticeType::non_delivery_admin:
      return "message " + hex(subject.first(16)) + " to mailbox " + hex(subject.last(16));
    case protocol::NoticeType::no_answer_reminder:
    case protocol::NoticeType::no_answer_case_owner:
    case protocol::NoticeType::referral_not_received:
    case protocol::NoticeType::not_received_reminder:
      return "referral " + hex(subject.first(16)) + " to partner " + hex(subject.last(16));
    default:
      return "pupil " + hex(subject);
  }
}

}  // namespace

int notices_command(client::Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({}); !bad.empty()) {
    return usage_error(bad);
  }
  client::Notices notices{client.session()};
  const auto& words = args.positional();
  if (words.size() == 3 && words[1] == "ack") {
    const auto id = parse_id(words[2]);
    if (!id) {
      return usage_error("the notice id is 32 hexadecimal digits: " + std::string(kUsage));
    }
    if (auto done = notices.acknowledge(*id); !done) {
      return fail(done.error(), &client);
    }
    std::cout << "notice " << words[2] << " acknowledged\n";
    return kOk;
  }
  if (words.size() != 1) {
    return usage_error(std::string(kUsage));
  }
  auto listed = notices.list();
  if (!listed) {
    return fail(listed.error(), &client);
  }
  boost::json::array out;
  for (const client::ReceivedNotice& r : *listed) {
    const auto& n = r.notice;
    if (context.json_output) {
      out.push_back({{"notice_id", hex(n.notice_id)},
                     {"type", protocol::name_of(n.type)},
                     {"mailbox_id", hex(n.mailbox_id)},
                     {"subject", hex(n.subject)},
                     {"due", due_date(n.due_day)},
                     {"created_at_ms", n.created_at_ms},
                     {"acknowledged", r.acked_at_ms.has_value()}});
      continue;
    }
    std::cout << hex(n.notice_id) << "  " << protocol::name_of(n.type) << "  " << subject_text(n)
              << "  due " << due_date(n.due_day) << "  " << (r.acked_at_ms ? "acknowledged" : "new")
              << "\n";
  }
  if (context.json_output) {
    print_json(out);
  } else if (listed->empty()) {
    std::cout << "no notices\n";
  }
  return kOk;
}

}  // namespace draaischijf::cli
