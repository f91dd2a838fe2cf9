#include "engine/model/types.h"

namespace baton::model {

SourcePos Origin::at(const std::string& path) const {
  if (locate) return locate(path);
  return SourcePos{file, 0, 0};
}

}  // namespace baton::model
