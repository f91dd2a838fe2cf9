#pragma once
// Internal to the triggers loader: decoders shared by load.cc, load_trigger.cc and
// load_interceptors.cc.

#include <memory>
#include <string>
#include <vector>

#include "engine/spec/decode_util.h"
#include "triggers/model.h"

namespace baton::triggers::detail {

using spec::DecodeCtx;
using spec::Node;

SourcePos pos_of(const DecodeCtx& c, const Node& n);

/// Compiles the CEL expression in scalar `n`, reporting errors at the exact column.
std::optional<cel::Program> compile_cel_at(const DecodeCtx& c, const Node& n,
                                           const std::string& path);

/// Decodes a list of interceptors (v1beta1 `ref` + `params`, or v1alpha1 `github:` etc.).
std::vector<Interceptor> decode_interceptors(const DecodeCtx& c, const Node& n,
                                             const std::string& path);

/// Decodes a trigger body (EventListener inline trigger or Trigger.spec). `extra` lists fields
/// of the enclosing object the caller reads itself (e.g. triggerRef).
void decode_trigger_spec(const DecodeCtx& c, const Node& n, const std::string& path,
                         TriggerSpec& out);

/// Decodes a TriggerTemplate spec.
std::shared_ptr<TriggerTemplate> decode_template_spec(const DecodeCtx& c, const Node& n,
                                                      const std::string& path);

/// Decodes `params: [{name, value}]` of a TriggerBinding.
std::vector<BindingParam> decode_binding_params(const DecodeCtx& c, const Node& n,
                                                const std::string& path);

}  // namespace baton::triggers::detail
