#include "engine/subst/substitute.h"

#include <optional>

namespace baton::subst {
namespace {

Error whole_in_string(const Reference& ref, const char* what) {
  return Fail("$(" + ref.expr + "): " + what +
                  " value used inside a string; only an array element or " +
                  "param value that is exactly this reference can take it",
              "invalid_reference");
}

// Substitutes the references already found in `s` into one string.
Result<std::string> substitute_refs(std::string_view s, const std::vector<Reference>& refs,
                                    const Context& ctx) {
  std::string out;
  out.reserve(s.size());
  std::size_t pos = 0;
  for (const Reference& ref : refs) {
    out.append(s.substr(pos, ref.begin - pos));
    pos = ref.end;
    Result<Resolved> r = ctx.resolve(ref);
    if (!r) return r.error();
    switch (r->kind) {
      case Resolved::Kind::kUnknown:
        out.append(s.substr(ref.begin, ref.end - ref.begin));
        break;
      case Resolved::Kind::kString:
        out.append(*r->str);
        break;
      case Resolved::Kind::kArray:
        return whole_in_string(ref, "an array");
      case Resolved::Kind::kObject:
        return whole_in_string(ref, "an object");
    }
  }
  out.append(s.substr(pos));
  return out;
}

// When `s` is exactly one reference to a known array or object, what it resolves to.
Result<std::optional<Resolved>> whole_value(std::string_view s, const std::vector<Reference>& refs,
                                            const Context& ctx) {
  if (refs.size() != 1 || refs[0].begin != 0 || refs[0].end != s.size())
    return std::optional<Resolved>{};
  Result<Resolved> r = ctx.resolve(refs[0]);
  if (!r) return r.error();
  if (r->kind != Resolved::Kind::kArray && r->kind != Resolved::Kind::kObject)
    return std::optional<Resolved>{};
  return std::optional<Resolved>(*r);
}

}  // namespace

Result<std::string> substitute_string(std::string_view s, const Context& ctx) {
  return substitute_refs(s, find_references(s), ctx);
}

Result<std::vector<std::string>> substitute_array(const std::vector<std::string>& items,
                                                  const Context& ctx) {
  std::vector<std::string> out;
  out.reserve(items.size());
  for (const std::string& item : items) {
    std::vector<Reference> refs = find_references(item);
    if (refs.empty()) {
      out.push_back(item);
      continue;
    }
    Result<std::optional<Resolved>> whole = whole_value(item, refs, ctx);
    if (!whole) return whole.error();
    if (whole->has_value()) {
      const Resolved& r = **whole;
      if (r.kind == Resolved::Kind::kObject) return whole_in_string(refs[0], "an object");
      out.insert(out.end(), r.arr->begin(), r.arr->end());
      continue;
    }
    Result<std::string> s = substitute_refs(item, refs, ctx);
    if (!s) return s.error();
    out.push_back(std::move(*s));
  }
  return out;
}

Result<model::ParamValue> substitute_value(const model::ParamValue& v, const Context& ctx) {
  switch (v.type) {
    case model::ValueType::kString: {
      std::vector<Reference> refs = find_references(v.str);
      Result<std::optional<Resolved>> whole = whole_value(v.str, refs, ctx);
      if (!whole) return whole.error();
      if (whole->has_value()) {
        const Resolved& r = **whole;
        if (r.kind == Resolved::Kind::kArray) return model::ParamValue::of_array(*r.arr);
        return model::ParamValue::of_object(*r.obj);
      }
      Result<std::string> s = substitute_refs(v.str, refs, ctx);
      if (!s) return s.error();
      return model::ParamValue::of_string(std::move(*s));
    }
    case model::ValueType::kArray: {
      Result<std::vector<std::string>> a = substitute_array(v.arr, ctx);
      if (!a) return a.error();
      return model::ParamValue::of_array(std::move(*a));
    }
    case model::ValueType::kObject: {
      std::map<std::string, std::string> obj;
      for (const auto& [k, val] : v.obj) {
        Result<std::string> s = substitute_string(val, ctx);
        if (!s) return s.error();
        obj.emplace(k, std::move(*s));
      }
      return model::ParamValue::of_object(std::move(obj));
    }
  }
  return v;
}

}  // namespace baton::subst
