#include "engine/subst/context.h"

#include <charconv>

namespace baton::subst {
namespace {

Error misuse(const Reference& ref, const std::string& why) {
  return Fail("$(" + ref.expr + "): " + why, "invalid_reference");
}

// `[N]` on an array; out of range is an error because Tekton fails the run there too.
Result<Resolved> index_array(const Reference& ref, const std::vector<std::string>& arr) {
  const std::string& idx = *ref.index;
  std::size_t n = 0;
  auto [ptr, ec] = std::from_chars(idx.data(), idx.data() + idx.size(), n);
  if (ec != std::errc() || ptr != idx.data() + idx.size() || n >= arr.size()) {
    return misuse(ref, "index " + idx + " out of range for array of " + std::to_string(arr.size()) +
                           " element(s)");
  }
  Resolved r;
  r.kind = Resolved::Kind::kString;
  r.str = &arr[n];
  return r;
}

Result<Resolved> from_value(const Reference& ref, const model::ParamValue& v) {
  Resolved r;
  switch (v.type) {
    case model::ValueType::kString:
      // Tekton accepts `$(params.s[*])` on a string param (StepAction examples pass params
      // that way): it is the string itself. A numeric index on a string stays an error.
      if (ref.index && *ref.index != "*") return misuse(ref, "cannot index a string value");
      r.kind = Resolved::Kind::kString;
      r.str = &v.str;
      return r;
    case model::ValueType::kArray:
      if (ref.index && *ref.index != "*") return index_array(ref, v.arr);
      r.kind = Resolved::Kind::kArray;
      r.arr = &v.arr;
      return r;
    case model::ValueType::kObject:
      if (ref.index && *ref.index != "*")
        return misuse(ref, "cannot index an object with [" + *ref.index + "]");
      r.kind = Resolved::Kind::kObject;
      r.obj = &v.obj;
      return r;
  }
  return r;
}

}  // namespace

void Context::set(std::string key, std::string value) {
  values_.insert_or_assign(std::move(key), model::ParamValue::of_string(std::move(value)));
}

void Context::set(std::string key, model::ParamValue value) {
  values_.insert_or_assign(std::move(key), std::move(value));
}

void Context::set_params(const std::vector<model::ParamSpec>& specs,
                         const std::vector<model::Param>& given) {
  for (const model::ParamSpec& spec : specs) {
    if (spec.default_value) set("params." + spec.name, *spec.default_value);
  }
  for (const model::Param& p : given) {
    std::string key = "params." + p.name;
    auto it = values_.find(key);
    if (it != values_.end() && it->second.type == model::ValueType::kObject &&
        p.value.type == model::ValueType::kObject) {
      for (const auto& [k, v] : p.value.obj) it->second.obj.insert_or_assign(k, v);
      continue;
    }
    set(std::move(key), p.value);
  }
}

Context Context::without_params(const std::vector<std::string>& names) const {
  Context out = *this;
  for (const std::string& name : names) {
    std::string key = "params." + name;
    std::string prefix = key + ".";
    std::erase_if(out.values_,
                  [&](const auto& kv) { return kv.first == key || kv.first.starts_with(prefix); });
  }
  return out;
}

const model::ParamValue* Context::find(std::string_view key) const {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

Result<Resolved> Context::resolve(const Reference& ref) const {
  std::string key = reference_key(ref);
  if (const model::ParamValue* v = find(key)) return from_value(ref, *v);
  // `params.obj.key`: the last part names a key of an object value.
  if (ref.parts.size() < 3) return Resolved{};
  std::string_view prefix(key.data(), key.size() - ref.parts.back().size() - 1);
  const model::ParamValue* parent = find(prefix);
  if (parent == nullptr || parent->type != model::ValueType::kObject) return Resolved{};
  auto it = parent->obj.find(ref.parts.back());
  if (it == parent->obj.end()) return misuse(ref, "object has no key \"" + ref.parts.back() + "\"");
  if (ref.index) return misuse(ref, "cannot index a string value");
  Resolved r;
  r.kind = Resolved::Kind::kString;
  r.str = &it->second;
  return r;
}

}  // namespace baton::subst
