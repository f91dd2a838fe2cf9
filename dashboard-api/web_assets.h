#pragma once
// The web page's files, embedded into the binary at build time by web/embed_assets.cmake.

#include <cstddef>
#include <string_view>
#include <vector>

namespace baton::api {

/// One embedded file: its name in dashboard-api/web/ and its bytes.
struct WebAsset {
  std::string_view name;  // "index.html"
  const unsigned char* data;
  std::size_t size;
};

/// Every embedded file (generated source).
const std::vector<WebAsset>& web_assets();

}  // namespace baton::api
