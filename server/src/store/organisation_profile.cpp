// An organisation's region, offers and CLB (migration 13): how they are stored, read, searched
// and changed by the operator. Kept apart from directory.cpp, which holds the key material.

#include <algorithm>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/directory.hpp>

#include "store/directory_lookups.hpp"
#include "store/store_rows.hpp"

namespace draaischijf::server {
namespace {

using protocol::Id;
using Void = sqlite::Result<void>;

// Offers are stored as their vocabulary names, comma-separated, in vocabulary order.
std::string offers_text(const std::vector<protocol::Offer>& offers) {
  std::string out;
  for (const auto offer : offers) {
    out += (out.empty() ? "" : ",") + std::string(protocol::name_of(offer));
  }
  return out;
}

std::vector<protocol::Offer> offers_from(std::string_view text) {
  std::vector<protocol::Offer> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    // A name this build does not know is skipped: it grants nothing and matches no search.
    if (const auto offer = protocol::parse_name<protocol::Offer>(text.substr(0, comma))) {
      out.push_back(*offer);
    }
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

// Each offer once, in vocabulary order, so that equal lists are stored equally.
std::vector<protocol::Offer> canonical(std::vector<protocol::Offer> offers) {
  std::sort(offers.begin(), offers.end());
  offers.erase(std::unique(offers.begin(), offers.end()), offers.end());
  return offers;
}

// The change applied to what is recorded, after every check; an error names the first problem.
Void apply(sqlite::Database& db, const OrganisationProfileChange& change, Organisation& o) {
  if (change.province) {
    o.province = change.province;
  }
  if (change.municipality) {
    if (!change.municipality->empty() && !protocol::is_valid_municipality(*change.municipality)) {
      return make_error_code(directory_errc::municipality_invalid);
    }
    o.municipality = *change.municipality;
  }
  if (change.offers) {
    auto offers = canonical(*change.offers);
    const bool allowed = std::all_of(offers.begin(), offers.end(), [&](protocol::Offer offer) {
      return protocol::may_offer(o.type, offer);
    });
    if (!allowed || offers.size() > protocol::kMaxOffers) {
      return make_error_code(directory_errc::offer_not_allowed);
    }
    o.offers = std::move(offers);
  }
  if (change.clear_clb) {
    o.clb.reset();
  }
  if (change.clb) {
    auto clb = detail::organisation_in(db, *change.clb);
    if (!clb && clb.error() != directory_errc::not_found) {
      return clb.error();
    }
    if (o.type != protocol::OrgType::school || !clb || clb->type != protocol::OrgType::clb) {
      return make_error_code(directory_errc::clb_invalid);
    }
    o.clb = change.clb;
  }
  return {};
}

// What the audit row says changed: vocabulary names and ids only (the municipality is public
// directory data, checked display safe, and bounded).
std::string audit_detail(const OrganisationProfileChange& change, const Organisation& o) {
  std::string detail;
  const auto add = [&](std::string_view key, std::string_view value) {
    detail += (detail.empty() ? "" : " ") + std::string(key) + "=" + std::string(value);
  };
  if (change.province) {
    add("province", protocol::name_of(*o.province));
  }
  if (change.municipality) {
    add("municipality", o.municipality);
  }
  if (change.offers) {
    add("offers", offers_text(o.offers));
  }
  if (change.clb || change.clear_clb) {
    add("clb", o.clb ? protocol::hex_encode(*o.clb) : "");
  }
  return detail;
}

}  // namespace

namespace detail {

void read_profile(const sqlite::Statement& row, int first, Organisation& out) {
  out.province = protocol::parse_name<protocol::Province>(row.column_text(first));
  out.municipality = row.column_text(first + 1);
  out.offers = offers_from(row.column_text(first + 2));
  if (!row.column_is_null(first + 3)) {
    out.clb = rows::fixed<16>(row.column_blob(first + 3));
  }
}

}  // namespace detail

bool OrganisationFilter::matches(const Organisation& o) const {
  return (!type || o.type == *type) && (!province || o.province == province) &&
         (!municipality || protocol::same_municipality(o.municipality, *municipality)) &&
         (!offer || std::find(o.offers.begin(), o.offers.end(), *offer) != o.offers.end());
}

bool SqliteDirectory::change_organisation_profile(const Id& org_id,
                                                  OrganisationProfileChange change,
                                                  std::int64_t at_ms, Done done) {
  return storage_->writer().submit(
      [org_id, change = std::move(change), at_ms](sqlite::Database& db) -> Void {
        auto organisation = detail::organisation_in(db, org_id);
        if (!organisation) {
          return organisation.error();
        }
        if (auto applied = apply(db, change, *organisation); !applied) {
          return applied;
        }
        const Organisation& o = *organisation;
        auto update = db.prepare(
            "UPDATE organisations SET province = ?, municipality = ?, offers = ?, clb_org_id = ? "
            "WHERE org_id = ?");
        if (!update) {
          return update.error();
        }
        if (o.province) {
          update->bind(1, protocol::name_of(*o.province));
        } else {
          update->bind_null(1);
        }
        if (o.municipality.empty()) {
          update->bind_null(2);
        } else {
          update->bind(2, o.municipality);
        }
        update->bind(3, offers_text(o.offers));
        if (o.clb) {
          update->bind(4, *o.clb);
        } else {
          update->bind_null(4);
        }
        update->bind(5, org_id);
        if (auto updated = update->run(); !updated) {
          return updated;
        }
        return rows::insert_audit(db, at_ms, "organisation.profile", org_id, {}, {},
                                  audit_detail(change, o));
      },
      std::move(done));
}

}  // namespace draaischijf::server
