#include "assets.hpp"

namespace draaischijf::ui {

const EmbeddedFile* find_asset(std::string_view path) noexcept {
  path = path.substr(0, path.find('?'));
  if (path == "/") {
    path = "/index.html";
  }
  for (const auto& file : embedded_files()) {
    if (file.path == path) {
      return &file;
    }
  }
  return nullptr;
}

std::string_view content_type_of(std::string_view path) noexcept {
  const auto ends = [path](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends(".html")) {
    return "text/html; charset=utf-8";
  }
  if (ends(".js")) {
    return "text/javascript; charset=utf-8";
  }
  if (ends(".css")) {
    return "text/css; charset=utf-8";
  }
  if (ends(".svg")) {
    return "image/svg+xml";
  }
  return "application/octet-stream";
}

}  // namespace draaischijf::ui
