#!/usr/bin/env python3
"""Generates the JSON Schemas of the Tekton kinds Baton's loader accepts.

The schemas mirror engine/spec/decode_task.cc, decode_pipeline.cc, decode_util.cc and
loader.cc field by field. v1 and v1beta1 differ in a few leaves (step `resources` vs
`computeResources`, taskRef `bundle`, TaskRun `stepOverrides`), and those leaves sit deep
inside every kind, so the definitions are written once here and emitted per version instead of
being kept by hand in a dozen JSON files. tests/schemas/schema_test.py fails when the committed
files differ from what this script writes.

Usage: generate.py [--check] [OUTDIR]   (OUTDIR defaults to this script's directory)
"""

import json
import os
import sys

DRAFT = "https://json-schema.org/draft/2020-12/schema"
VERSIONS = ("v1", "v1beta1")

# --- building blocks -----------------------------------------------------------------------

STR = {"type": "string"}
STR_LIST = {"type": "array", "items": STR}
BOOL = {"type": "boolean"}
STR_MAP = {"type": "object", "additionalProperties": STR}
# Go's time.ParseDuration syntax; negative values are never valid timeouts, so no leading "-".
DURATION = {
    "type": "string",
    "pattern": r"^(0|\+?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$",
    "description": "Go duration, e.g. \"1h30m\", \"90s\", \"500ms\" or \"0\"",
}
# Kubernetes objects Baton passes through unchanged (the runner or the API server checks them).
OPEN_OBJECT = {"type": ["object", "null"]}
OPEN_LIST = {"type": ["array", "null"], "items": {"type": "object"}}
ANY = {}
VALUE_TYPE = {"enum": ["string", "array", "object"]}


def enum_or_subst(*values):
    """An enum Tekton also lets authors fill from a param, e.g. `onError: $(params.mode)`."""
    return {"anyOf": [{"enum": list(values)}, {"type": "string", "pattern": r"\$\("}]}


ON_ERROR = enum_or_subst("continue", "stopAndFail")
PULL_POLICY = enum_or_subst("Always", "Never", "IfNotPresent")


def ref(version, name):
    return {"$ref": f"#/$defs/{version}.{name}"}


def obj(props, required=(), nullable=False):
    """A Tekton object: only the listed fields, so typos are errors as in the loader."""
    out = {"type": ["object", "null"] if nullable else "object",
           "additionalProperties": False, "properties": props}
    if required:
        out["required"] = list(required)
    return out


def list_of(item):
    return {"type": "array", "items": item}


def rejected(why):
    """A field the loader names explicitly to explain why it is refused."""
    return {"not": {}, "description": why}


def deprecated(schema, note):
    return dict(schema, deprecated=True, description=note)


def named(required_name=True):
    """Fields whose `name` the loader reads with MapReader::required (null counts as absent)."""
    return {"name": STR}, (["name"] if required_name else [])


# --- definitions shared by both versions --------------------------------------------------

def common_defs():
    scalar = {"type": ["string", "number", "boolean"]}
    return {
        # YAML turns `value: 1.10` into a number and `value: true` into a boolean; the loader
        # keeps the raw text ("1.10") as Tekton does, so numbers and booleans are valid values.
        "ParamValue": {
            "description": "string | array of strings | object of strings; numbers and "
                           "booleans are kept as their YAML text",
            "anyOf": [scalar, list_of(scalar),
                      {"type": "object", "additionalProperties": scalar}],
        },
        "Param": obj({"name": STR, "value": {"$ref": "#/$defs/ParamValue"}},
                     required=["name", "value"]),
        "Properties": {
            "type": "object",
            "additionalProperties": obj({"type": {"const": "string"}}, nullable=True),
        },
        "ParamSpec": obj({
            "name": STR, "type": VALUE_TYPE, "description": STR,
            "properties": {"$ref": "#/$defs/Properties"},
            "default": {"anyOf": [{"$ref": "#/$defs/ParamValue"}, {"type": "null"}]},
            "enum": STR_LIST,
        }, required=["name"]),
        "ResultSpec": obj({
            "name": STR, "type": VALUE_TYPE, "description": STR,
            "properties": {"$ref": "#/$defs/Properties"},
            "value": {"anyOf": [{"$ref": "#/$defs/ParamValue"}, {"type": "null"}]},
        }, required=["name"]),
        "WhenExpression": obj({
            "input": STR, "operator": enum_or_subst("in", "notin"), "values": STR_LIST, "cel": STR,
        }),
        "EnvVar": obj({"name": STR, "value": STR, "valueFrom": OPEN_OBJECT}, required=["name"]),
        "WorkspaceUsage": obj({"name": STR, "mountPath": STR}, required=["name"]),
        "ObjectMeta": obj({
            "name": STR, "generateName": STR, "namespace": STR,
            "labels": STR_MAP, "annotations": STR_MAP,
            # Server-populated fields: accepted and ignored so exported objects load.
            **{k: ANY for k in ("uid", "resourceVersion", "generation", "creationTimestamp",
                                "deletionTimestamp", "managedFields", "ownerReferences",
                                "finalizers", "selfLink")},
        }, nullable=True),
        "WorkspaceBinding": obj({
            "name": STR, "subPath": STR,
            **{k: OPEN_OBJECT for k in ("emptyDir", "persistentVolumeClaim", "volumeClaimTemplate",
                                        "configMap", "secret", "projected", "csi")},
        }, required=["name"]),
        "StepActionSpec": obj({
            "description": STR, "image": STR, "command": STR_LIST, "args": STR_LIST,
            "env": list_of({"$ref": "#/$defs/EnvVar"}), "script": STR, "workingDir": STR,
            "params": list_of({"$ref": "#/$defs/ParamSpec"}),
            "results": list_of({"$ref": "#/$defs/ResultSpec"}),
            "securityContext": OPEN_OBJECT, "volumeMounts": OPEN_LIST,
        }),
        "Matrix": obj({
            "params": list_of({"$ref": "#/$defs/Param"}),
            "include": list_of(obj({"name": STR, "params": list_of({"$ref": "#/$defs/Param"})})),
        }, nullable=True),
        "PipelineTaskRunSpec": obj({
            "pipelineTaskName": STR,
            "serviceAccountName": STR,
            "taskServiceAccountName": deprecated(STR, "v1beta1 spelling of serviceAccountName"),
            "podTemplate": OPEN_OBJECT,
            "taskPodTemplate": deprecated(OPEN_OBJECT, "v1beta1 spelling of podTemplate"),
            "stepSpecs": OPEN_LIST,
            "stepOverrides": deprecated(OPEN_LIST, "v1beta1 spelling of stepSpecs"),
            "sidecarSpecs": OPEN_LIST,
            "sidecarOverrides": deprecated(OPEN_LIST, "v1beta1 spelling of sidecarSpecs"),
            "metadata": {"$ref": "#/$defs/ObjectMeta"},
            "computeResources": OPEN_OBJECT,
            "timeout": DURATION,
        }),
    }


# --- definitions that differ between v1 and v1beta1 -----------------------------------------

def container_props(v):
    props = {
        "name": STR, "image": STR, "command": STR_LIST, "args": STR_LIST, "workingDir": STR,
        "env": list_of({"$ref": "#/$defs/EnvVar"}), "envFrom": OPEN_LIST,
        "volumeMounts": OPEN_LIST, "volumeDevices": OPEN_LIST,
        "imagePullPolicy": PULL_POLICY, "securityContext": OPEN_OBJECT,
    }
    if v == "v1beta1":
        props["resources"] = OPEN_OBJECT
    else:
        props["computeResources"] = OPEN_OBJECT
        props["resources"] = rejected("v1beta1 name; in tekton.dev/v1 it is computeResources")
    return props


def task_spec_props(v):
    return {
        "displayName": STR, "description": STR,
        "params": list_of({"$ref": "#/$defs/ParamSpec"}),
        "steps": list_of(ref(v, "Step")),
        "stepTemplate": ref(v, "StepTemplate"),
        "sidecars": list_of(ref(v, "Sidecar")),
        "workspaces": list_of(obj({"name": STR, "description": STR, "mountPath": STR,
                                   "readOnly": BOOL, "optional": BOOL}, required=["name"])),
        "results": list_of({"$ref": "#/$defs/ResultSpec"}),
        "volumes": OPEN_LIST,
        "resources": rejected("PipelineResources were removed in Tekton v1"),
    }


def versioned_defs(v):
    ref_props = {"name": STR, "kind": STR, "apiVersion": STR, "resolver": STR,
                 "params": list_of({"$ref": "#/$defs/Param"})}
    if v == "v1beta1":
        ref_props["bundle"] = deprecated(STR, "v1beta1 OCI bundle; the bundles resolver in v1")
    probes = ("readinessProbe", "livenessProbe", "startupProbe")
    step = obj({
        **container_props(v),
        "displayName": STR, "script": STR, "timeout": DURATION,
        "workspaces": list_of({"$ref": "#/$defs/WorkspaceUsage"}),
        "onError": ON_ERROR,
        "stdoutConfig": obj({"path": STR}, nullable=True),
        "stderrConfig": obj({"path": STR}, nullable=True),
        "ref": dict(ref(v, "Ref")),
        "params": list_of({"$ref": "#/$defs/Param"}),
        "results": list_of({"$ref": "#/$defs/ResultSpec"}),
        "when": list_of({"$ref": "#/$defs/WhenExpression"}),
        "ports": rejected("steps cannot declare ports; use a sidecar"),
        **{p: rejected("steps cannot have probes") for p in probes},
        "lifecycle": rejected("steps cannot have lifecycle hooks"),
    })
    sidecar = obj({
        **container_props(v),
        "script": STR, "workspaces": list_of({"$ref": "#/$defs/WorkspaceUsage"}),
        "ports": OPEN_LIST, **{p: OPEN_OBJECT for p in probes}, "lifecycle": OPEN_OBJECT,
        "restartPolicy": STR,
        **{k: ANY for k in ("terminationMessagePath", "terminationMessagePolicy", "stdin",
                            "stdinOnce", "tty")},
    })
    pipeline_task_props = {
        "name": STR, "displayName": STR, "description": STR,
        "taskRef": dict(ref(v, "Ref")),
        "taskSpec": ref(v, "EmbeddedTask"),
        "when": list_of({"$ref": "#/$defs/WhenExpression"}),
        "onError": ON_ERROR,
        "retries": {"type": "integer", "minimum": 0, "maximum": 1000},
        "runAfter": STR_LIST,
        "params": list_of({"$ref": "#/$defs/Param"}),
        "matrix": {"$ref": "#/$defs/Matrix"},
        "workspaces": list_of(obj({"name": STR, "workspace": STR, "subPath": STR},
                                  required=["name"])),
        "timeout": DURATION,
        "pipelineRef": rejected("pipelines in pipelines are not supported"),
        "pipelineSpec": rejected("pipelines in pipelines are not supported"),
    }
    if v == "v1beta1":
        pipeline_task_props["resources"] = rejected("PipelineResources were removed")
    task_run_props = {
        "taskRef": ref(v, "Ref"), "taskSpec": ref(v, "TaskSpec"),
        "params": list_of({"$ref": "#/$defs/Param"}),
        "serviceAccountName": STR,
        "status": {"enum": ["TaskRunCancelled"]}, "statusMessage": STR,
        "retries": {"type": "integer", "minimum": 0, "maximum": 1000},
        "timeout": DURATION, "podTemplate": OPEN_OBJECT,
        "workspaces": list_of({"$ref": "#/$defs/WorkspaceBinding"}),
        "computeResources": OPEN_OBJECT, "debug": OPEN_OBJECT,
    }
    if v == "v1beta1":
        task_run_props.update(stepOverrides=OPEN_LIST, sidecarOverrides=OPEN_LIST,
                              resources=rejected("PipelineResources were removed"))
    else:
        task_run_props.update(stepSpecs=OPEN_LIST, sidecarSpecs=OPEN_LIST)
    return {
        "Ref": obj(ref_props, nullable=True),
        "Step": step,
        "StepTemplate": obj(container_props(v), nullable=True),
        "Sidecar": sidecar,
        "TaskSpec": obj(task_spec_props(v), nullable=True),
        # A pipeline task's taskSpec is a TaskSpec with metadata, or a custom task
        # (apiVersion/kind/spec) when either apiVersion or kind is present.
        "EmbeddedTask": {
            "if": {"type": "object",
                   "anyOf": [{"required": ["apiVersion"]}, {"required": ["kind"]}]},
            "then": obj({"apiVersion": STR, "kind": STR, "spec": ANY,
                         "metadata": {"$ref": "#/$defs/ObjectMeta"}}),
            "else": obj({**task_spec_props(v), "metadata": {"$ref": "#/$defs/ObjectMeta"}},
                        nullable=True),
        },
        "PipelineTask": obj(pipeline_task_props, required=["name"]),
        "PipelineSpec": obj({
            "displayName": STR, "description": STR,
            "tasks": list_of(ref(v, "PipelineTask")),
            "finally": list_of(ref(v, "PipelineTask")),
            "params": list_of({"$ref": "#/$defs/ParamSpec"}),
            "workspaces": list_of(obj({"name": STR, "description": STR, "optional": BOOL},
                                      required=["name"])),
            "results": list_of(obj({"name": STR, "description": STR, "type": VALUE_TYPE,
                                    "value": {"$ref": "#/$defs/ParamValue"}},
                                   required=["name", "value"])),
            "resources": rejected("PipelineResources were removed in Tekton v1"),
        }, nullable=True),
        "PipelineRunSpec": obj({
            "pipelineRef": ref(v, "Ref"), "pipelineSpec": ref(v, "PipelineSpec"),
            "params": list_of({"$ref": "#/$defs/Param"}),
            "status": {"enum": ["Cancelled", "CancelledRunFinally", "StoppedRunFinally",
                                "PipelineRunPending", "PipelineRunCancelled"]},
            "timeouts": obj({"pipeline": DURATION, "tasks": DURATION, "finally": DURATION},
                            nullable=True),
            "taskRunTemplate": obj({"serviceAccountName": STR, "podTemplate": OPEN_OBJECT},
                                   nullable=True),
            # v1beta1 spellings; the loader accepts them in v1 too (catalog samples use them).
            "serviceAccountName": deprecated(STR, "v1beta1; taskRunTemplate.serviceAccountName"),
            "podTemplate": deprecated(OPEN_OBJECT, "v1beta1; taskRunTemplate.podTemplate"),
            "timeout": deprecated(DURATION, "v1beta1; timeouts.pipeline"),
            "workspaces": list_of({"$ref": "#/$defs/WorkspaceBinding"}),
            "taskRunSpecs": list_of({"$ref": "#/$defs/PipelineTaskRunSpec"}),
            "resources": rejected("PipelineResources were removed in Tekton v1"),
            "serviceAccountNames": rejected("removed; use taskRunSpecs"),
        }),
        "TaskRunSpec": obj(task_run_props),
    }


def all_defs(versions):
    defs = dict(common_defs())
    for v in versions:
        defs.update({f"{v}.{k}": s for k, s in versioned_defs(v).items()})
    return defs


# --- kinds -----------------------------------------------------------------------------------

# (file stem, apiVersions, kinds, spec def, version whose defs it uses)
KINDS = [
    ("tekton.dev_v1_Task", ["tekton.dev/v1"], ["Task"], "TaskSpec", "v1"),
    ("tekton.dev_v1_Pipeline", ["tekton.dev/v1"], ["Pipeline"], "PipelineSpec", "v1"),
    ("tekton.dev_v1_PipelineRun", ["tekton.dev/v1"], ["PipelineRun"], "PipelineRunSpec", "v1"),
    ("tekton.dev_v1_TaskRun", ["tekton.dev/v1"], ["TaskRun"], "TaskRunSpec", "v1"),
    ("tekton.dev_v1beta1_Task", ["tekton.dev/v1beta1"], ["Task"], "TaskSpec", "v1beta1"),
    ("tekton.dev_v1beta1_ClusterTask", ["tekton.dev/v1beta1"], ["ClusterTask"], "TaskSpec",
     "v1beta1"),
    ("tekton.dev_v1beta1_Pipeline", ["tekton.dev/v1beta1"], ["Pipeline"], "PipelineSpec",
     "v1beta1"),
    ("tekton.dev_v1beta1_PipelineRun", ["tekton.dev/v1beta1"], ["PipelineRun"],
     "PipelineRunSpec", "v1beta1"),
    ("tekton.dev_v1beta1_TaskRun", ["tekton.dev/v1beta1"], ["TaskRun"], "TaskRunSpec", "v1beta1"),
    # StepAction's fields do not depend on the version; v1 is accepted for forward compatibility.
    ("tekton.dev_v1beta1_StepAction",
     ["tekton.dev/v1beta1", "tekton.dev/v1alpha1", "tekton.dev/v1"], ["StepAction"],
     "StepActionSpec", None),
]


def spec_ref(spec, version):
    return {"$ref": f"#/$defs/{version}.{spec}" if version else f"#/$defs/{spec}"}


def document(api_versions, kinds, spec, version):
    const = lambda xs: {"const": xs[0]} if len(xs) == 1 else {"enum": xs}  # noqa: E731
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["apiVersion", "kind", "spec"],
        "properties": {
            "apiVersion": const(api_versions),
            "kind": const(kinds),
            "metadata": {"$ref": "#/$defs/ObjectMeta"},
            "spec": dict(spec_ref(spec, version), type="object"),
            "status": ANY,  # output only: accepted and ignored on input
        },
    }


def used_defs(root, defs):
    """The closure of $defs reachable from root, so each file holds only what it needs."""
    seen, todo = set(), [root]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            r = node.get("$ref", "")
            if r.startswith("#/$defs/") and r[8:] not in seen:
                seen.add(r[8:])
                todo.append(defs[r[8:]])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return {k: defs[k] for k in sorted(seen)}


def schemas():
    defs = all_defs(VERSIONS)
    out = {}
    for stem, apis, kinds, spec, version in KINDS:
        doc = document(apis, kinds, spec, version)
        out[stem + ".json"] = {
            "$schema": DRAFT,
            "$id": f"https://baton.dev/schemas/{stem}.json",
            "title": f"{kinds[0]} ({', '.join(apis)}) as Baton loads it",
            **doc,
            "$defs": used_defs(doc, defs),
        }
    # One schema for every kind, dispatched on apiVersion and kind, for editors.
    branches = []
    for stem, apis, kinds, spec, version in KINDS:
        doc = document(apis, kinds, spec, version)
        branches.append({
            "if": {"type": "object", "required": ["apiVersion", "kind"],
                   "properties": {"apiVersion": doc["properties"]["apiVersion"],
                                  "kind": doc["properties"]["kind"]}},
            "then": doc,
        })
    # allOf applies the matching branch; anyOf refuses pairs no branch covers (v1alpha1 Task).
    root = {"allOf": branches, "anyOf": [b["if"] for b in branches]}
    out["tekton.dev.json"] = {
        "$schema": DRAFT,
        "$id": "https://baton.dev/schemas/tekton.dev.json",
        "title": "Any Tekton object Baton loads (dispatches on apiVersion and kind)",
        "type": "object",
        "required": ["apiVersion", "kind"],
        "properties": {
            "apiVersion": {"enum": ["tekton.dev/v1", "tekton.dev/v1beta1", "tekton.dev/v1alpha1"]},
            "kind": {"enum": sorted({k for _, _, ks, _, _ in KINDS for k in ks})},
        },
        **root,
        "$defs": used_defs(root, defs),
    }
    return out


def render(schema):
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    outdir = args[0] if args else os.path.dirname(os.path.abspath(__file__))
    stale = []
    for name, schema in schemas().items():
        path = os.path.join(outdir, name)
        text = render(schema)
        if check:
            try:
                with open(path, encoding="utf-8") as f:
                    if f.read() != text:
                        stale.append(name)
            except FileNotFoundError:
                stale.append(name)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if stale:
        print("stale schemas (run schemas/generate.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
