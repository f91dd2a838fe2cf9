#pragma once
// The Tekton Triggers model (triggers.tekton.dev v1alpha1 and v1beta1): EventListener, Trigger,
// TriggerBinding, ClusterTriggerBinding, TriggerTemplate, and the interceptors Baton runs
// in-process (github, gitlab, bitbucket, cel).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/diagnostic.h"
#include "triggers/cel.h"
#include "triggers/secrets.h"

namespace baton::triggers {

/// One CEL overlay: `extensions.<key>` (a dotted key nests) receives the expression's value.
struct CelOverlay {
  std::string key;
  cel::Program expression;
};

enum class InterceptorKind { kGitHub, kGitLab, kBitbucket, kCel };

/// One interceptor of a trigger, in the order written.
struct Interceptor {
  InterceptorKind kind = InterceptorKind::kCel;
  std::string name;  // optional display name
  SourcePos pos;
  std::optional<SecretRef> secret_ref;   // github / gitlab / bitbucket
  std::vector<std::string> event_types;  // github / gitlab / bitbucket; empty = any
  std::optional<cel::Program> filter;    // cel
  std::vector<CelOverlay> overlays;      // cel
};

/// A TriggerBinding param: `value` may hold `$(body...)`, `$(header...)`, `$(extensions...)`.
struct BindingParam {
  std::string name;
  std::string value;
  SourcePos pos;
};

/// An entry of a trigger's `bindings`: a reference, or an inline name/value param.
struct BindingRef {
  std::string ref;       // TriggerBinding or ClusterTriggerBinding name; empty when inline
  bool cluster = false;  // kind: ClusterTriggerBinding
  std::optional<BindingParam> param;  // inline
  SourcePos pos;
};

/// A TriggerTemplate param.
struct TemplateParam {
  std::string name;
  std::optional<std::string> default_value;
  std::string description;
};

/// A TriggerTemplate; each resource template is kept as compact JSON text, substituted at
/// request time the way Tekton does (on the JSON bytes, values JSON-escaped).
struct TriggerTemplate {
  std::string name;
  SourcePos pos;
  std::vector<TemplateParam> params;
  std::vector<std::string> resources;
};

/// A trigger's `template`: a reference or an inline spec.
struct TemplateRef {
  std::string ref;
  std::shared_ptr<const TriggerTemplate> spec;
  SourcePos pos;
};

/// The body of a trigger (inline in an EventListener or in a Trigger object).
struct TriggerSpec {
  std::string name;
  SourcePos pos;
  std::vector<Interceptor> interceptors;
  std::vector<BindingRef> bindings;
  TemplateRef template_ref;
};

/// An entry of EventListener `spec.triggers`: inline, or `triggerRef` to a Trigger object.
struct ListenerTrigger {
  std::string trigger_ref;
  TriggerSpec spec;  // used when trigger_ref is empty
};

/// `spec.triggerGroups[]`: shared interceptors, then every Trigger whose labels match.
struct TriggerGroup {
  std::string name;
  SourcePos pos;
  std::vector<Interceptor> interceptors;
  std::map<std::string, std::string> match_labels;
};

/// An EventListener.
struct EventListener {
  std::string name;
  SourcePos pos;
  std::vector<ListenerTrigger> triggers;
  std::vector<TriggerGroup> trigger_groups;
};

/// A TriggerBinding or ClusterTriggerBinding.
struct TriggerBinding {
  std::string name;
  bool cluster = false;
  SourcePos pos;
  std::vector<BindingParam> params;
};

/// A Trigger object (referenced by `triggerRef` or selected by a trigger group).
struct Trigger {
  std::string name;
  std::map<std::string, std::string> labels;
  TriggerSpec spec;
};

/// Every triggers.tekton.dev object loaded, by name.
struct TriggerCatalog {
  std::map<std::string, EventListener> listeners;
  std::map<std::string, TriggerBinding> bindings;
  std::map<std::string, TriggerBinding> cluster_bindings;
  std::map<std::string, TriggerTemplate> templates;
  std::map<std::string, Trigger> triggers;
};

}  // namespace baton::triggers
