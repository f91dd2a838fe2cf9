#!/usr/bin/env python3
"""docker/kubernetes/rbac.yaml against the real Kubernetes schemas of the corpus.

The corpus holds core/v1 only (k8s/api__v1_openapi.k8s-1.33.json): the ServiceAccount is
validated against io.k8s.api.core.v1.ServiceAccount from it, made strict (unknown fields
rejected, as the Pod schema is). Role and RoleBinding are rbac.authorization.k8s.io/v1, which
the corpus does not have: they get the structural checks of that API's required fields below,
and the C++ test RbacGrantsExactlyTheCallsTheRunnerMakes checks what the Role grants.

usage: rbac_schema_test.py SOURCE_DIR CORPUS_DIR
"""
import copy
import json
import os
import sys

import jsonschema
import yaml


def strict(node):
    """openapi2jsonschema's "strict": objects with properties reject unknown fields."""
    if isinstance(node, dict):
        out = {k: strict(v) for k, v in node.items()}
        if "properties" in out and out.get("type") == "object" and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [strict(x) for x in node]
    return node


def main():
    src, corpus = sys.argv[1], sys.argv[2]
    with open(os.path.join(corpus, "k8s", "api__v1_openapi.k8s-1.33.json")) as f:
        api = json.load(f)
    components = strict(api["components"])
    sa_schema = {"$ref": "#/components/schemas/io.k8s.api.core.v1.ServiceAccount",
                 "components": components}
    validator = jsonschema.Draft7Validator(sa_schema)
    with open(os.path.join(src, "docker", "kubernetes", "rbac.yaml")) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    failures = []
    kinds = [d.get("kind") for d in docs]
    if kinds != ["ServiceAccount", "Role", "RoleBinding"]:
        failures.append("want ServiceAccount, Role, RoleBinding; got %s" % kinds)
    for d in docs:
        if d.get("kind") == "ServiceAccount":
            for e in validator.iter_errors(d):
                failures.append("ServiceAccount: %s at %s" % (e.message, list(e.path)))
            bad = copy.deepcopy(d)
            bad["automountServiceAccountTokn"] = True
            if validator.is_valid(bad):
                failures.append("the strict ServiceAccount schema accepts an unknown field")
        elif d.get("kind") == "Role":
            if d.get("apiVersion") != "rbac.authorization.k8s.io/v1":
                failures.append("Role apiVersion")
            for i, r in enumerate(d.get("rules", [])):
                if not r.get("verbs") or "*" in r.get("verbs", []) or "*" in r.get("resources", []):
                    failures.append("Role rules[%d]: needs explicit verbs and resources" % i)
        elif d.get("kind") == "RoleBinding":
            ref = d.get("roleRef", {})
            if set(ref) != {"apiGroup", "kind", "name"}:
                failures.append("RoleBinding roleRef needs apiGroup, kind, name")
            names = {x["metadata"]["name"] for x in docs if x.get("kind") == "Role"}
            if ref.get("name") not in names:
                failures.append("RoleBinding names no Role of the file")
            sas = {x["metadata"]["name"] for x in docs if x.get("kind") == "ServiceAccount"}
            for s in d.get("subjects", []):
                if s.get("kind") != "ServiceAccount" or s.get("name") not in sas:
                    failures.append("RoleBinding subject is not the file's ServiceAccount")
    print("ServiceAccount validated against core/v1 1.33 (strict); Role/RoleBinding: no RBAC "
          "schema in the corpus, structural checks only")
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
