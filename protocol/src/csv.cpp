#include <draaischijf/protocol/csv.hpp>

namespace draaischijf::protocol {

std::string csv_field(std::string_view value) {
  std::string field(value);
  // A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); the
  // apostrophe makes it text, and the value stays readable.
  if (!field.empty() && std::string_view("=+-@\t\r").find(field.front()) != std::string::npos) {
    field.insert(0, 1, '\'');
  }
  if (field.find_first_of(",\"\r\n") == std::string::npos) {
    return field;
  }
  std::string quoted = "\"";
  for (const char c : field) {
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  }
  return quoted + "\"";
}

}  // namespace draaischijf::protocol
