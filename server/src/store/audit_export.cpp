#include "store/audit_export.hpp"

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/sqlite.hpp>

#include "core/utc_time.hpp"

namespace draaischijf::server::audit_export {
namespace {

// Both sources in kColumns' order after `record` and `at` (at_ms first); one statement, so the
// rows come out merged by time. ?3 is the organisation (NULL: any), ?4 the pupil (NULL: any).
constexpr std::string_view kSelect = R"sql(
SELECT 'audit', at_ms, event, org_id, device_id, message_id, pupil, user_id, role, on_behalf_of,
       legal_basis, rule_ids, policy_version, NULL, NULL, NULL, NULL, NULL, NULL, detail,
       0 AS source, id
  FROM audit
 WHERE at_ms BETWEEN ?1 AND ?2
   AND (?3 IS NULL OR org_id = ?3
        OR device_id IN (SELECT device_id FROM devices WHERE org_id = ?3))
   AND (?4 IS NULL OR pupil = ?4)
UNION ALL
SELECT 'disclosure', at_ms, 'disclosure', org_id, NULL, message_id, pupil, sender_staff,
       sender_role, NULL, legal_basis, rule_ids, policy_version, recipient_org,
       recipient_mailbox, kind, purpose, categories, approved_by, NULL, 1 AS source, id
  FROM disclosures
 WHERE at_ms BETWEEN ?1 AND ?2
   AND (?3 IS NULL OR org_id = ?3 OR recipient_org = ?3)
   AND (?4 IS NULL OR pupil = ?4)
 ORDER BY 2, source, id
)sql";

// The columns that hold ids and hashes (blobs): exported in hex.
bool is_id(std::string_view column) {
  for (const std::string_view id :
       {"org_id", "device_id", "message_id", "pupil", "recipient_org", "recipient_mailbox"}) {
    if (column == id) {
      return true;
    }
  }
  return false;
}

}  // namespace

protocol::Result<std::size_t> read(const std::filesystem::path& database, const Filter& filter,
                                   const std::function<void(const Row&)>& each) {
  auto db =
      sqlite::Database::open_unmigrated(database.string(), sqlite::Database::Access::read_write);
  if (!db) {
    return db.error();
  }
  auto select = db->prepare(kSelect);
  if (!select) {
    return select.error();
  }
  select->bind(1, filter.from_ms).bind(2, filter.to_ms);
  if (filter.org) {
    select->bind(3, *filter.org);
  } else {
    select->bind_null(3);
  }
  if (filter.pupil) {
    select->bind(4, *filter.pupil);
  } else {
    select->bind_null(4);
  }
  std::size_t count = 0;
  while (true) {
    auto more = select->step();
    if (!more) {
      return more.error();
    }
    if (!*more) {
      break;
    }
    Row row;
    row.values[0] = select->column_text(0);
    const std::int64_t at_ms = select->column_int64(1);
    row.values[1] = format_utc_ms(at_ms);
    row.values[2] = std::to_string(at_ms);
    for (std::size_t i = 3; i < kColumns.size(); ++i) {
      const int column = static_cast<int>(i - 1);
      if (select->column_is_null(column)) {
        continue;
      }
      row.values[i] = is_id(kColumns[i]) ? protocol::hex_encode(select->column_blob(column))
                                         : select->column_text(column);
    }
    each(row);
    ++count;
  }
  return count;
}

}  // namespace draaischijf::server::audit_export
