#pragma once

// One CSV field as RFC 4180 writes it, with formula injection disarmed: the hub's audit export
// and the CLI's reports write the same cells.

#include <string>
#include <string_view>

namespace draaischijf::protocol {

/// Quoted when it holds a comma, quote or line break (quotes doubled); a field that starts with
/// =, +, -, @, tab or CR gets a leading apostrophe, so a spreadsheet shows it as text rather
/// than running it as a formula.
[[nodiscard]] std::string csv_field(std::string_view value);

}  // namespace draaischijf::protocol
