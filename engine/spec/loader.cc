#include "engine/spec/loader.h"

#include <memory>

#include "engine/spec/decode.h"

namespace baton::spec {

namespace {

bool is_tekton_pipeline_api(const std::string& v) {
  return v == "tekton.dev/v1" || v == "tekton.dev/v1beta1" || v == "tekton.dev/v1alpha1";
}

// Kubernetes objects that travel in the same files as Tekton ones (examples put ConfigMaps,
// Secrets and PVCs beside the runs that use them). Kept raw, never an error.
bool is_kubernetes_api(const std::string& v) {
  return v == "v1" || v == "apps/v1" || v == "batch/v1" || v == "rbac.authorization.k8s.io/v1" ||
         v == "networking.k8s.io/v1" || v == "policy/v1" || v == "storage.k8s.io/v1" ||
         v.rfind("triggers.tekton.dev/", 0) == 0;
}

const char* const kTektonKinds[] = {"Task",    "Pipeline",   "PipelineRun",
                                    "TaskRun", "StepAction", "ClusterTask"};

void decode_document(std::shared_ptr<const Document> doc, LoadOutput& out) {
  const Node& root = doc->root;
  const std::string& file = *doc->file;
  DecodeCtx c{file, false, &out.errors};
  if (!root.is_map()) {
    c.error(root.mark, "",
            std::string("a document must be a mapping with apiVersion and kind, got a ") +
                root.kind_name());
    return;
  }
  const Node* api = root.find("apiVersion");
  const Node* kind_node = root.find("kind");
  std::string api_version = api ? read_string(c, *api, "apiVersion") : "";
  std::string kind = kind_node ? read_string(c, *kind_node, "kind") : "";
  if (api_version.empty() || kind.empty()) {
    c.error(root.mark, api_version.empty() ? "apiVersion" : "kind",
            "missing required field: every document needs apiVersion and kind");
    return;
  }

  model::Origin origin;
  origin.file = file;
  origin.document = doc->index;
  origin.api_version = api_version;
  origin.locate = [doc](const std::string& path) {
    Mark m = locate_path(doc->root, path);
    return SourcePos{*doc->file, m.line, m.col};
  };

  if (is_kubernetes_api(api_version)) {
    model::ExternalObject e;
    e.origin = std::move(origin);
    e.api_version = api_version;
    e.kind = kind;
    if (const Node* md = root.find("metadata")) {
      DecodeCtx lenient = c;
      Diagnostics ignored;
      lenient.diags = &ignored;  // foreign metadata may have fields we do not model
      e.metadata = decode_meta(lenient, *md, "metadata");
    }
    e.body = to_json(root);
    out.objects.externals.push_back(std::move(e));
    return;
  }
  if (!is_tekton_pipeline_api(api_version)) {
    c.error(api->mark, "apiVersion",
            "unsupported apiVersion \"" + api_version +
                "\" (Baton loads tekton.dev/v1 and "
                "tekton.dev/v1beta1 objects, and Kubernetes ConfigMap/Secret/PVC beside them)");
    return;
  }
  c.v1beta1 = api_version != "tekton.dev/v1";
  std::vector<std::string> kinds(std::begin(kTektonKinds), std::end(kTektonKinds));
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
    std::string msg = "unknown kind \"" + kind + "\" for " + api_version;
    std::string hint = closest_match(kind, kinds);
    if (!hint.empty()) msg += " (did you mean \"" + hint + "\"?)";
    c.error(kind_node->mark, "kind", msg);
    return;
  }
  if (kind == "ClusterTask" || (kind == "StepAction" && api_version == "tekton.dev/v1")) {
    // ClusterTask is a cluster-scoped Task; Baton has no namespaces, so it is a Task.
    // StepAction is served as v1beta1 (and v1alpha1); accept v1 too for forward compatibility.
  } else if (api_version == "tekton.dev/v1alpha1" && kind != "StepAction") {
    c.error(api->mark, "apiVersion",
            kind + " is not served as tekton.dev/v1alpha1; use tekton.dev/v1");
    return;
  }

  MapReader m(c, root, "");
  m.ignore({"apiVersion", "kind", "status"});
  model::ObjectMeta meta;
  if (const Node* md = m.get("metadata")) meta = decode_meta(c, *md, "metadata");
  const Node* spec = m.get("spec");
  static const Node kEmpty{};
  const Node& spec_node = spec ? *spec : kEmpty;
  if (!spec || spec->is_null()) {
    c.error(root.mark, "spec", "missing required field");
  }
  if (kind == "Task" || kind == "ClusterTask") {
    out.objects.tasks.push_back(
        {std::move(origin), std::move(meta), decode_task_spec(c, spec_node, "spec")});
  } else if (kind == "Pipeline") {
    out.objects.pipelines.push_back(
        {std::move(origin), std::move(meta), decode_pipeline_spec(c, spec_node, "spec")});
  } else if (kind == "PipelineRun") {
    out.objects.pipeline_runs.push_back(
        {std::move(origin), std::move(meta), decode_pipeline_run_spec(c, spec_node, "spec")});
  } else if (kind == "TaskRun") {
    out.objects.task_runs.push_back(
        {std::move(origin), std::move(meta), decode_task_run_spec(c, spec_node, "spec")});
  } else {
    out.objects.step_actions.push_back(
        {std::move(origin), std::move(meta), decode_step_action_spec(c, spec_node, "spec")});
  }
}

}  // namespace

Mark locate_path(const Node& root, const std::string& path) {
  const Node* cur = &root;
  Mark best = root.mark;
  std::size_t i = 0;
  while (i < path.size() && cur) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      std::size_t close = path.find(']', i);
      if (close == std::string::npos || !cur->is_seq()) break;
      std::size_t idx = std::stoul(path.substr(i + 1, close - i - 1));
      if (idx >= cur->items.size()) break;
      cur = &cur->items[idx];
      best = cur->mark;
      i = close + 1;
      continue;
    }
    if (!cur->is_map()) break;
    // Keys may contain dots (annotations), so take the longest key that matches here.
    const MapEntry* match = nullptr;
    for (const auto& e : cur->entries) {
      if (path.compare(i, e.key.size(), e.key) != 0) continue;
      std::size_t end = i + e.key.size();
      if (end != path.size() && path[end] != '.' && path[end] != '[') continue;
      if (!match || e.key.size() > match->key.size()) match = &e;
    }
    if (!match) break;
    i += match->key.size();
    cur = &match->value;
    // A null value has no useful position of its own: point at its key.
    best = cur->is_null() || cur->mark.line == 0 ? match->key_mark : cur->mark;
  }
  return best;
}

namespace {
constexpr std::size_t kMaxDiagnostics = 200;  // past this, more errors only add noise

LoadOutput decode_all(Result<std::vector<Document>> parsed, const std::string& file) {
  LoadOutput out;
  if (!parsed.ok()) {
    out.errors = parsed.error().diagnostics;
    return out;
  }
  for (auto& d : *parsed) {
    if (d.root.is_null()) continue;  // `---` separators with nothing between them
    ++out.documents;
    decode_document(std::make_shared<const Document>(std::move(d)), out);
  }
  if (out.documents == 0) {
    out.errors.push_back(Diagnostic{SourcePos{file, 1, 1}, "", "file contains no YAML documents"});
  }
  if (out.errors.size() > kMaxDiagnostics) {
    std::size_t more = out.errors.size() - kMaxDiagnostics;
    out.errors.resize(kMaxDiagnostics);
    out.errors.push_back(Diagnostic{
        SourcePos{file, 0, 0}, "", "too many errors: " + std::to_string(more) + " more not shown"});
  }
  return out;
}
}  // namespace

LoadOutput load_text(const std::string& text, const std::string& file, const Limits& limits) {
  return decode_all(parse_yaml(text, file, limits), file);
}

LoadOutput load_file(const std::string& path, const Limits& limits) {
  return decode_all(parse_yaml_file(path, limits), path);
}

}  // namespace baton::spec
