#!/usr/bin/env python3
"""docker/kubernetes/*.yaml against the real Kubernetes schemas of the corpus (k8s 1.33).

- Core v1 kinds (Service, PersistentVolumeClaim, ConfigMap, ServiceAccount, ...) are validated
  against their schema in api__v1_openapi.k8s-1.33.json, made strict: every object schema that
  lists properties rejects others, so a typo in a field name fails as with kubectl's
  --validate=strict.
- apps/v1 Deployment is not in that file (it holds the core group only): its pod template is
  validated as a Pod against pod-v1.k8s-1.33.standalone-strict.json, and the Deployment wrapper
  (selector matches the template labels, strategy, replicas, probes on /healthz and /readyz)
  is checked here field by field.
- rbac.authorization.k8s.io kinds (rbac.yaml, written with the Kubernetes runner) are checked
  for shape: rules with apiGroups, resources and verbs; subjects and roleRef.
Also the Dockerfile's basics (multi-stage, Debian 12, non-root USER) and compose.yaml's services.
  usage: k8s_manifests_test.py SOURCE_DIR CORPUS_DIR
"""
import copy
import json
import os
import sys

import warnings

import jsonschema
import yaml

warnings.filterwarnings("ignore", category=DeprecationWarning)
src, corpus = sys.argv[1], sys.argv[2]
k8s = os.path.join(corpus, "k8s")
errors = []


def fail(where, msg):
    errors.append(f"{where}: {msg}")


def strict(node):
    """Adds additionalProperties: false to every object schema that names its properties."""
    if isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for v in node.values():
            strict(v)
    elif isinstance(node, list):
        for v in node:
            strict(v)
    return node


openapi = strict(copy.deepcopy(json.load(open(os.path.join(k8s, "api__v1_openapi.k8s-1.33.json")))))
schemas = openapi["components"]["schemas"]
by_kind = {}
for name, s in schemas.items():
    for gvk in s.get("x-kubernetes-group-version-kind", []):
        if gvk["group"] == "" and gvk["version"] == "v1":
            by_kind[gvk["kind"]] = name
pod_schema = json.load(open(os.path.join(k8s, "pod-v1.k8s-1.33.standalone-strict.json")))


def validate(where, doc, schema, root):
    validator = jsonschema.Draft7Validator(schema, resolver=jsonschema.RefResolver("", root))
    for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        path = ".".join(str(p) for p in e.absolute_path) or "(root)"
        fail(where, f"{path}: {e.message[:200]}")


def check_deployment(where, d):
    spec = d.get("spec", {})
    for key in spec:
        if key not in {"replicas", "selector", "template", "strategy", "minReadySeconds",
                       "revisionHistoryLimit", "progressDeadlineSeconds", "paused"}:
            fail(where, f"spec.{key}: not a DeploymentSpec field")
    if not isinstance(spec.get("replicas", 1), int):
        fail(where, "spec.replicas: want an integer")
    if spec.get("strategy", {}).get("type", "RollingUpdate") not in ("Recreate", "RollingUpdate"):
        fail(where, "spec.strategy.type: want Recreate or RollingUpdate")
    labels = spec.get("template", {}).get("metadata", {}).get("labels", {})
    for k, v in spec.get("selector", {}).get("matchLabels", {}).items():
        if labels.get(k) != v:
            fail(where, f"spec.selector.matchLabels.{k}: the pod template's labels do not match")
    if not spec.get("selector", {}).get("matchLabels"):
        fail(where, "spec.selector.matchLabels: required")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": spec.get("template", {}).get("metadata", {}),
           "spec": spec.get("template", {}).get("spec", {})}
    validate(where + " (spec.template as a Pod)", pod, pod_schema, pod_schema)
    probes = {}
    for c in pod["spec"].get("containers", []):
        for p in ("readinessProbe", "livenessProbe"):
            if p in c:
                probes[p] = c[p].get("httpGet", {}).get("path")
    if probes.get("readinessProbe") != "/readyz" or probes.get("livenessProbe") != "/healthz":
        fail(where, f"probes: want readiness on /readyz and liveness on /healthz, got {probes}")


def check_rbac(where, d):
    kind = d["kind"]
    if kind in ("Role", "ClusterRole"):
        for i, r in enumerate(d.get("rules", [])):
            for key in ("apiGroups", "resources", "verbs"):
                if not isinstance(r.get(key), list):
                    fail(where, f"rules[{i}].{key}: want a list")
    elif kind in ("RoleBinding", "ClusterRoleBinding"):
        ref = d.get("roleRef", {})
        if ref.get("apiGroup") != "rbac.authorization.k8s.io" or not ref.get("name"):
            fail(where, "roleRef: want apiGroup rbac.authorization.k8s.io and a name")
        if not d.get("subjects"):
            fail(where, "subjects: required")
    else:
        fail(where, f"unexpected rbac kind {kind}")


kube_dir = os.path.join(src, "docker", "kubernetes")
seen = set()
for f in sorted(os.listdir(kube_dir)):
    if not f.endswith((".yaml", ".yml")):
        continue
    for i, d in enumerate(yaml.safe_load_all(open(os.path.join(kube_dir, f)))):
        if d is None:
            continue
        where = f"docker/kubernetes/{f}[{i}] {d.get('kind')}/{d.get('metadata', {}).get('name')}"
        api, kind = d.get("apiVersion"), d.get("kind")
        seen.add(kind)
        if api == "v1" and kind in by_kind:
            validate(where, d, schemas[by_kind[kind]], openapi)
        elif api == "apps/v1" and kind == "Deployment":
            check_deployment(where, d)
        elif api == "rbac.authorization.k8s.io/v1":
            check_rbac(where, d)
        else:
            fail(where, f"no schema for {api} {kind}")
for kind in ("Deployment", "Service", "PersistentVolumeClaim", "ConfigMap"):
    if kind not in seen:
        fail("docker/kubernetes", f"no {kind}")

# The schema check must be able to fail: a typo and a wrong type are caught.
bad = yaml.safe_load(open(os.path.join(kube_dir, "service.yaml")))
bad["spec"]["prots"] = bad["spec"].pop("ports")
before = len(errors)
validate("self-check", bad, schemas[by_kind["Service"]], openapi)
if len(errors) == before:
    fail("self-check", "a Service with `prots` passed the strict schema")
else:
    del errors[before:]
bad_pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {},
           "spec": {"containers": [{"name": "x", "image": "x", "readinessProbe": {"httpGet": {"path": "/readyz"}}}]}}
validate("self-check", bad_pod, pod_schema, pod_schema)
if len(errors) == before:
    fail("self-check", "a probe without httpGet.port passed the Pod schema")
else:
    del errors[before:]

# The Dockerfile: multi-stage, Debian 12 base, ends as a non-root user.
dockerfile = open(os.path.join(src, "docker", "Dockerfile")).read().splitlines()
froms = [l.split()[1] for l in dockerfile if l.startswith("FROM ")]
if len(froms) < 2 or not all(":12" in f and "debian" in f for f in froms):
    fail("docker/Dockerfile", f"want a multi-stage build on debian:12, got FROM {froms}")
users = [l.split()[1] for l in dockerfile if l.startswith("USER ")]
if not users or users[-1].split(":")[0] in ("0", "root"):
    fail("docker/Dockerfile", f"the final USER must not be root, got {users}")

compose = yaml.safe_load(open(os.path.join(src, "docker", "compose.yaml")))
if set(compose.get("services", {})) != {"baton", "registry", "git"}:
    fail("docker/compose.yaml", f"want services baton, registry, git; got {list(compose.get('services', {}))}")

for e in errors:
    print("FAIL:", e)
checked = len(seen)
print(f"k8s manifests: {checked} kinds checked, {len(errors)} errors")
sys.exit(1 if errors else 0)
