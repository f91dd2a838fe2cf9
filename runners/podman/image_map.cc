#include "runners/podman/image_map.h"

#include "engine/spec/decode_util.h"
#include "engine/spec/yaml_tree.h"

namespace baton::runners {
namespace {

// Splits a normalised reference into repository and ":tag"/"@digest" (may be empty).
std::pair<std::string, std::string> split_tag(const std::string& ref) {
  if (auto at = ref.find('@'); at != std::string::npos) return {ref.substr(0, at), ref.substr(at)};
  const auto slash = ref.rfind('/');
  const auto colon = ref.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    return {ref.substr(0, colon), ref.substr(colon)};
  return {ref, ""};
}

// The repository part with podman's short-name defaults: no registry -> docker.io, a
// docker.io name without namespace -> library/.
std::string normalize_repo(const std::string& repo) {
  const auto slash = repo.find('/');
  const std::string first = slash == std::string::npos ? "" : repo.substr(0, slash);
  const bool has_registry =
      !first.empty() && (first.find('.') != std::string::npos ||
                         first.find(':') != std::string::npos || first == "localhost");
  std::string out = has_registry ? repo : "docker.io/" + repo;
  if (out.rfind("docker.io/", 0) == 0 && out.find('/', 10) == std::string::npos)
    out.insert(10, "library/");
  return out;
}

}  // namespace

std::string normalize_image(const std::string& image) {
  auto [repo, tag] = split_tag(image);
  if (repo.empty()) return image;
  return normalize_repo(repo) + (tag.empty() ? ":latest" : tag);
}

std::string map_image(const ImageMap& map, const std::string& image) {
  if (image.empty()) return image;
  const std::string full = normalize_image(image);
  const std::string repo = split_tag(full).first;
  const std::string* by_repo = nullptr;
  const std::string* by_prefix = nullptr;
  std::size_t prefix_len = 0;
  for (const auto& [key, target] : map) {
    if (key.empty()) continue;
    if (key.back() == '*') {
      const std::string prefix = key.substr(0, key.size() - 1);
      for (const std::string* candidate : {&image, &full}) {
        if (candidate->rfind(prefix, 0) == 0 && (!by_prefix || prefix.size() > prefix_len)) {
          by_prefix = &target;
          prefix_len = prefix.size();
        }
      }
      continue;
    }
    auto [krepo, ktag] = split_tag(key);
    if (krepo.empty()) continue;
    const std::string kfull = normalize_repo(krepo);
    if (ktag.empty()) {
      if (kfull == repo) by_repo = &target;
    } else if (kfull + ktag == full) {
      return target;  // exact reference: nothing is more specific
    }
  }
  if (by_repo) return *by_repo;
  if (by_prefix) return *by_prefix;
  return image;
}

Result<ImageMap> load_image_map_file(const std::string& path) {
  auto docs = spec::parse_yaml_file(path);
  if (!docs.ok()) return docs.error();
  if (docs->size() != 1 || !docs->front().root.is_map())
    return Fail(path + ":1:1: want one YAML mapping of image -> local image");
  Diagnostics diags;
  spec::DecodeCtx c{path, false, &diags};
  ImageMap map = spec::read_string_map(c, docs->front().root, "");
  if (!diags.empty()) {
    Error e = Fail(diags.front().to_string());
    e.diagnostics = diags;
    return e;
  }
  return map;
}

}  // namespace baton::runners
