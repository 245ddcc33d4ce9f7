#include <algorithm>
#include <charconv>

#include <draaischijf/protocol/witness_request.hpp>

namespace draaischijf::protocol::witness {

std::optional<std::uint64_t> parse_decimal(std::string_view text) noexcept {
  if (text.empty() || (text.size() > 1 && text[0] == '0') ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;  // beyond 2^64 - 1
  }
  return value;
}

std::string encode_add_checkpoint(const AddCheckpoint& request) {
  std::string out = "old " + std::to_string(request.old_size) + "\n";
  for (const merkle::Hash& hash : request.proof) {
    out += note::encode_base64_padded(hash);
    out += '\n';
  }
  out += '\n';
  out += request.checkpoint;
  return out;
}

Result<AddCheckpoint> parse_add_checkpoint(std::string_view body) {
  constexpr std::string_view kOld = "old ";
  if (body.size() > kMaxRequestSize || !body.starts_with(kOld)) {
    return tlog_errc::witness_request_malformed;
  }
  AddCheckpoint out;
  std::size_t end = body.find('\n');
  const auto old_size = end == std::string_view::npos
                            ? std::nullopt
                            : parse_decimal(body.substr(kOld.size(), end - kOld.size()));
  if (!old_size) {
    return tlog_errc::witness_request_malformed;
  }
  out.old_size = *old_size;
  // Proof lines up to the blank line; the rest is the checkpoint.
  for (std::size_t begin = end + 1;; begin = end + 1) {
    end = body.find('\n', begin);
    if (end == std::string_view::npos) {
      return tlog_errc::witness_request_malformed;
    }
    if (end == begin) {
      out.checkpoint = std::string(body.substr(end + 1));
      return out;
    }
    auto bytes = note::decode_base64_padded(body.substr(begin, end - begin));
    if (!bytes || bytes->size() != merkle::Hash{}.size() || out.proof.size() == kMaxProofLines) {
      return tlog_errc::witness_request_malformed;
    }
    std::copy(bytes->begin(), bytes->end(), out.proof.emplace_back().begin());
  }
}

std::string encode_size(std::uint64_t size) { return std::to_string(size) + "\n"; }

Result<std::uint64_t> parse_size(std::string_view body) {
  if (!body.ends_with('\n')) {
    return tlog_errc::witness_request_malformed;
  }
  const auto size = parse_decimal(body.substr(0, body.size() - 1));
  if (!size) {
    return tlog_errc::witness_request_malformed;
  }
  return *size;
}

}  // namespace draaischijf::protocol::witness
