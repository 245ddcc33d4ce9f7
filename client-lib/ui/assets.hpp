#pragma once

// The page's files (HTML, CSS, JavaScript modules under client-lib/ui/assets/), built into the
// program as byte arrays by cmake/embed_assets.cmake: nothing is fetched at run time and no
// file beside the binary is needed.

#include <span>
#include <string_view>

namespace draaischijf::ui {

struct EmbeddedFile {
  std::string_view path;  // "/index.html", "/app.js", ...
  std::string_view bytes;
};

/// Every embedded file (the generated source defines it).
[[nodiscard]] std::span<const EmbeddedFile> embedded_files() noexcept;

/// The file served at `path` ("/" is /index.html, a query is ignored); nullptr if none.
[[nodiscard]] const EmbeddedFile* find_asset(std::string_view path) noexcept;
/// By the file name's extension.
[[nodiscard]] std::string_view content_type_of(std::string_view path) noexcept;

}  // namespace draaischijf::ui
