#include <array>

#include <draaischijf/protocol/case_statement.hpp>
#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol {
namespace {

constexpr std::array<std::uint8_t, 4> kCaseMagic = {'D', 'R', 'C', 'S'};

}  // namespace

std::vector<std::uint8_t> encode(const CaseStatement& statement) {
  std::vector<std::uint8_t> out;
  wire::Writer writer(out);
  writer.bytes(kCaseMagic);
  writer.u8(1);
  writer.bytes(statement.org_id);
  writer.bytes(statement.case_id);
  writer.bytes(statement.device_id);
  writer.u8(statement.action);
  writer.u8(statement.code);
  writer.bytes(statement.subject);
  writer.u64(statement.at_ms);
  writer.bytes(statement.nonce);
  return out;
}

Result<CaseStatement> parse_case_statement(std::span<const std::uint8_t> bytes) {
  wire::Reader reader(bytes);
  if (reader.fixed<4>() != kCaseMagic) {
    reader.fail(errc::bad_magic);
  }
  if (reader.u8() != 1) {
    reader.fail(errc::unsupported_version);
  }
  CaseStatement out;
  out.org_id = reader.fixed<16>();
  out.case_id = reader.fixed<16>();
  out.device_id = reader.fixed<16>();
  out.action = reader.u8();
  out.code = reader.u8();
  out.subject = reader.fixed<16>();
  out.at_ms = reader.u64();
  out.nonce = reader.fixed<16>();
  if (auto done = reader.finish(); !done) {
    return done.error();
  }
  return out;
}

Signature sign_case_statement(const CaseStatement& statement, const SigningKey& device_key) {
  return device_key.sign(kCaseStatementDomain, encode(statement));
}

bool verify_case_statement(std::span<const std::uint8_t> bytes, const Signature& signature,
                           const SigningPublicKey& device_key) {
  return verify_signature(device_key, kCaseStatementDomain, bytes, signature);
}

}  // namespace draaischijf::protocol
