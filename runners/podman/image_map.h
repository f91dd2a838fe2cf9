#pragma once
// The image map: which local image runs a step whose `image` names something this machine
// cannot pull (`ubuntu` -> `localhost/base:latest`, `docker.io/library/*` -> a mirror).

#include <map>
#include <string>

#include "engine/common/result.h"

namespace baton::runners {

/// Key -> image. A key is an image reference (short names are normalised the way podman does:
/// `alpine` = `docker.io/library/alpine`; a key without tag matches every tag of that
/// repository) or a prefix ending in `*` (`docker.io/library/*`, `*` for everything else).
using ImageMap = std::map<std::string, std::string>;

/// `docker.io/library/alpine:latest` for `alpine`; digests and explicit registries kept.
std::string normalize_image(const std::string& image);

/// The image to run for `image`: the most specific match (exact reference, then repository
/// without tag, then the longest prefix), or `image` itself when nothing matches.
std::string map_image(const ImageMap& map, const std::string& image);

/// Reads a YAML file holding one mapping of key -> image; errors carry file:line:col.
Result<ImageMap> load_image_map_file(const std::string& path);

}  // namespace baton::runners
