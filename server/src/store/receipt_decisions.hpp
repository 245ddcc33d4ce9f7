#pragma once

// What the hub's receipt names of the policy's decisions, made from the gate's records for an
// envelope's recipient mailboxes. Storing an envelope keeps them with it; the replay of one
// stored before they were kept gets them from the verdict just made (message_store.cpp).

#include <span>

#include <draaischijf/protocol/receipt.hpp>
#include <draaischijf/server/store/message_store.hpp>

namespace draaischijf::server {

/// One decision per record, in order, under the records' rule set version (the gate judges an
/// envelope under one rule set). field_out_of_range when there is no record, the records name
/// different versions or an approver is not a staff id; otherwise protocol::check_decisions().
[[nodiscard]] protocol::Result<protocol::ReceiptDecisions> receipt_decisions(
    std::span<const PolicyRecord> records);

}  // namespace draaischijf::server
