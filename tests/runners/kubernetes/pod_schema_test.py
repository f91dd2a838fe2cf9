#!/usr/bin/env python3
"""Every Pod the Kubernetes runner generates for the corpus validates against the real
Kubernetes Pod JSON Schema (corpus k8s/pod-v1.k8s-*.standalone-strict.json, derived from the
upstream core/v1 OpenAPI; its $refs are local '#/definitions/...', resolved inside the file).

usage: pod_schema_test.py KUBE_POD_DUMP CORPUS_DIR
"""
import copy
import json
import os
import re
import subprocess
import sys

import jsonschema


# Files whose runs yield no pod for reasons outside pod generation: each says why. A file listed
# here that starts producing pods fails the test, so the list only shrinks.
KNOWN_GAPS = {
    "tekton-catalog/task/buildah/0.9/tests/run.yaml":
        "ConfigMap sslcert lives in the cluster; the engine resolves workspace ConfigMaps "
        "from the run's files before any runner is asked",
    "tekton-catalog/task/github-open-pr/0.2/github-open-pr.yaml":
        "Secret github (a task volume) lives in the cluster; resolved up front by the engine",
    "tekton-catalog/task/github-open-pr/0.2/tests/run.yaml":
        "Secret github (a task volume) lives in the cluster; resolved up front by the engine",
    "tekton-examples/examples/v1/taskruns/stepaction-passing-results.yaml":
        "a step result feeding a later StepAction's param is resolved inside the pod at run "
        "time by Tekton; the engine fails the invocation before any runner",
}


def tekton_files(corpus):
    out = set()
    for d in ("tekton-examples", "tekton-catalog"):
        for root, _, names in os.walk(os.path.join(corpus, d)):
            for n in names:
                if not n.endswith(".yaml"):
                    continue
                p = os.path.join(root, n)
                with open(p, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                if re.search(r"^apiVersion:\s*[\"']?tekton\.dev/", text, re.M) and re.search(
                        r"^kind:\s*(Task|TaskRun|PipelineRun)\s*$", text, re.M):
                    out.add(os.path.relpath(p, corpus))
    return out


def main():
    dump, corpus = sys.argv[1], sys.argv[2]
    proc = subprocess.run([dump, corpus], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        print(proc.stderr)
        return 1
    lines = [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]
    pods = [l for l in lines if "pod" in l]
    errors = [l for l in lines if "error" in l]
    failures = []
    validators = {}
    for v in ("1.30", "1.33"):
        path = os.path.join(corpus, "k8s", "pod-v1.k8s-%s.standalone-strict.json" % v)
        with open(path) as f:
            schema = json.load(f)
        jsonschema.Draft7Validator.check_schema(schema)
        validators[v] = jsonschema.Draft7Validator(schema)
    for p in pods:
        for v, val in validators.items():
            errs = sorted(val.iter_errors(p["pod"]), key=lambda e: list(e.path))
            for e in errs[:3]:
                failures.append("%s %s (k8s %s): %s at %s" % (
                    p["file"], p["taskRun"], v, e.message[:200], "/".join(map(str, e.path))))

    # The validator must be able to fail: mutations of a real generated pod are rejected.
    sample = next(p["pod"] for p in pods if p["pod"]["spec"].get("initContainers"))
    mutations = []
    m = copy.deepcopy(sample); m["spec"]["initContainers"][0]["imagePullPolicyy"] = "x"
    mutations.append(("unknown container field", m))
    m = copy.deepcopy(sample); del m["spec"]["containers"]
    mutations.append(("no containers", m))
    m = copy.deepcopy(sample); m["spec"]["volumes"][0]["emptyDir"] = "yes"
    mutations.append(("emptyDir as string", m))
    for what, m in mutations:
        if validators["1.33"].is_valid(m):
            failures.append("mutation not rejected: " + what)

    # Coverage: every file with a Task or a run produced at least one pod.
    produced = {p["file"] for p in pods}
    missing = sorted(tekton_files(corpus) - produced)
    for e in errors:
        print("plan error: %s: %s" % (e["file"], e["error"][:200]))
    for e in (l for l in lines if "failed" in l):
        print("task failed before start: %s %s: %s" % (e["file"], e["task"], e["failed"][:200]))
    for f in missing:
        if f in KNOWN_GAPS:
            print("known gap: %s: %s" % (f, KNOWN_GAPS[f]))
        else:
            failures.append("no pod generated for " + f)
    for f in KNOWN_GAPS:
        if f in produced:
            failures.append("known gap now produces pods, drop it from KNOWN_GAPS: " + f)

    kinds = {}
    for p in pods:
        s = p["pod"]["spec"]
        for c in s.get("initContainers", []):
            k = "sidecar" if c.get("restartPolicy") == "Always" else "init step/prepare"
            kinds[k] = kinds.get(k, 0) + 1
        for vol in s.get("volumes", []):
            k = next(x for x in vol if x != "name")
            kinds["volume " + k] = kinds.get("volume " + k, 0) + 1
    print("%d pods from %d files, validated against k8s 1.30 and 1.33 Pod schemas; %d plan errors"
          % (len(pods), len(produced), len(errors)))
    print("  " + ", ".join("%s: %d" % kv for kv in sorted(kinds.items())))
    for f in failures[:50]:
        print("FAIL " + f)
    if failures:
        print("%d failures" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
