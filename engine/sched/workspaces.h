#pragma once
// Run-level workspace volumes on this machine: every PipelineRun/TaskRun workspace binding gets
// a host directory. emptyDir and volumeClaimTemplate: a fresh directory per run; a named PVC:
// a directory per claim that outlives runs (the local stand-in for a PersistentVolumeClaim);
// configMap / secret / projected: files written from ConfigMap and Secret objects loaded with
// the run; `--workspace name=DIR` overrides: the user's directory, used in place.

#include <map>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/model/object_set.h"

namespace baton::sched {

/// A run-level workspace as the host sees it.
struct WorkspaceVolume {
  std::string host_path;   // directory (subPath of the binding already applied)
  std::string claim;       // PVC claim name, for $(workspaces.W.claim)
  std::string volume;      // a volume name, for $(workspaces.W.volume)
  bool read_only = false;  // configMap/secret volumes are read-only in Kubernetes
  model::Json source;      // the binding as a Kubernetes volume source (for pod-building runners)
  std::string sub_path;    // the binding's subPath
};

/// Where volumes live.
struct WorkspaceRoots {
  std::string run_dir;                           // per-run scratch: <run_dir>/workspaces/<name>
  std::string pvc_dir;                           // per-claim directories shared by runs
  std::map<std::string, std::string> overrides;  // workspace name -> user directory
};

/// Creates (and fills) a directory for each binding. Errors name the workspace and the missing
/// ConfigMap/Secret. Secret values are appended to *secrets (for log masking).
Result<std::map<std::string, WorkspaceVolume>> prepare_workspaces(
    const std::vector<model::WorkspaceBinding>& bindings, const model::ObjectSet& objects,
    const WorkspaceRoots& roots, std::vector<std::string>* secrets);

/// Writes the keys of ConfigMap/Secret `name` (or the `items` selection) as files into `dir`.
/// A missing object is an error unless `optional`. Secret values go to *secrets.
Status write_object_files(const std::string& kind, const std::string& name,
                          const model::Json& items, const model::ObjectSet& objects,
                          const std::string& dir, bool optional, std::vector<std::string>* secrets);

/// The value of `key` in ConfigMap/Secret `name` (Secret data decoded).
Result<std::string> object_value(const std::string& kind, const std::string& name,
                                 const std::string& key, const model::ObjectSet& objects);

/// Decodes standard base64 (Kubernetes Secret `data`); nullopt when malformed.
std::optional<std::string> decode_base64(std::string_view in);

}  // namespace baton::sched
