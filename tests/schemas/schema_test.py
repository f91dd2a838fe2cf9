#!/usr/bin/env python3
"""Keeps schemas/*.json in step with Baton's loader.

1. every schema is a valid draft 2020-12 schema, and schemas/generate.py --check finds no drift;
2. every tekton.dev document of the Tekton examples and catalog is accepted by the schema of its
   apiVersion/kind and by the all-kinds schema, and `baton validate` accepts every such file;
3. structural mutations of those documents (unknown fields at several depths, misspelled
   fields, a list where a string belongs, a wrong param type, a missing required name, a number
   as a param value) are judged the same way by the schema and by `baton validate`.

Usage: schema_test.py BATON_EXE CORPUS_DIR
Prints each failure, then `N passed, M failed`; exits 1 on any failure.
"""

import copy
import json
import os
import random
import re
import subprocess
import sys
import tempfile

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "schemas"))
CORPORA = ("tekton-examples", "tekton-catalog")
SEED = 20240611


class Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 core-schema scalars, as Baton's loader reads them: `yes`, `on` and dates stay
    strings, only true/false are booleans (PyYAML's default is YAML 1.1)."""


Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _re, _first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]:
    Yaml12Loader.add_implicit_resolver(_tag, re.compile(_re), list(_first))


def _int(loader, node):
    v = loader.construct_scalar(node)
    return int(v, 0) if v.startswith(("0o", "0x")) else int(v)


def _float(loader, node):
    v = loader.construct_scalar(node).lower()
    if v.endswith(".inf"):
        return float("-inf") if v.startswith("-") else float("inf")
    return float("nan") if v == ".nan" else float(v)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _int)
Yaml12Loader.add_constructor("tag:yaml.org,2002:float", _float)


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL " + what)


def load_schemas(res):
    validators = {}
    for name in sorted(os.listdir(SCHEMA_DIR)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(SCHEMA_DIR, name), encoding="utf-8") as f:
            schema = json.load(f)
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
            res.check(True, name)
        except jsonschema.exceptions.SchemaError as e:
            res.check(False, f"{name}: not a valid schema: {e.message}")
            continue
        validators[name] = jsonschema.Draft202012Validator(schema)
    gen = subprocess.run([sys.executable, os.path.join(SCHEMA_DIR, "generate.py"), "--check"],
                         capture_output=True, text=True)
    res.check(gen.returncode == 0, "schemas/generate.py --check: " + gen.stdout.strip())
    return validators


def schema_for(doc):
    """The per-kind schema file of a document, as listed in schemas/README.md."""
    api, kind = doc.get("apiVersion"), doc.get("kind")
    if kind == "StepAction":
        return "tekton.dev_v1beta1_StepAction.json"
    return f"tekton.dev_{str(api).split('/', 1)[-1]}_{kind}.json"


def first_error(validator, doc):
    err = next(validator.iter_errors(doc), None)
    if err is None:
        return None
    return "/".join(str(p) for p in err.absolute_path) + ": " + err.message[:200]


def is_tekton(doc):
    return isinstance(doc, dict) and str(doc.get("apiVersion", "")).startswith("tekton.dev/")


def corpus_files(corpus_dir):
    out = []
    for c in CORPORA:
        for root, _, files in os.walk(os.path.join(corpus_dir, c)):
            out += [os.path.join(root, f) for f in files if f.endswith(".yaml")]
    return sorted(out)


# --- targeted cases --------------------------------------------------------------------------

def run_cases(res, baton, validators, combined, tmp):
    """cases.yaml: each case's raw YAML goes to both judges; both must answer `accept`.
    `loader_pending: true` marks a value rule Tekton's validation enforces and Baton's validator
    does not yet: only the schema's answer is asserted, the loader's is printed."""
    with open(os.path.join(HERE, "cases.yaml"), encoding="utf-8") as f:
        cases = yaml.safe_load(f)
    paths = []
    for n, case in enumerate(cases):
        p = os.path.join(tmp, f"case{n}.yaml")
        with open(p, "w", encoding="utf-8") as f:
            f.write(case["yaml"])
        paths.append(p)
    verdicts = baton_verdicts(baton, paths)
    for case, p in zip(cases, paths):
        errs = []
        for doc in yaml.load_all(case["yaml"], Loader=Yaml12Loader):
            v = validators.get(schema_for(doc), combined) if isinstance(doc, dict) else combined
            for val in (v, combined):
                err = first_error(val, doc)
                if err:
                    errs.append(err)
        schema_ok = not errs
        baton_ok, msg = verdicts[p]
        want = case["accept"]
        res.check(schema_ok == want, f"case '{case['name']}': schema "
                                     f"{'accepts' if schema_ok else 'rejects: ' + errs[0]}")
        if case.get("loader_pending") and baton_ok != want:
            print(f"note: case '{case['name']}': baton does not check this yet")
            continue
        res.check(baton_ok == want, f"case '{case['name']}': baton "
                                    f"{'accepts' if baton_ok else 'rejects: ' + msg}")


# --- mutations -------------------------------------------------------------------------------

# Below these keys the shape is the author's data (param values, label maps, object-param
# property names); changing it there is a semantic change the validator may judge, not a
# structural one the schema can.
OPAQUE = {"value", "default", "labels", "annotations", "properties"}


def walk(node, path=()):
    """Yields (parent, key, value, path) for every mapping entry and list item."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield node, k, v, path + (k,)
            yield from walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield node, i, v, path + (i,)
            yield from walk(v, path + (i,))


def structural(path):
    return not any(p in OPAQUE for p in path[:-1])


def get(doc, path):
    for p in path:
        doc = doc[p]
    return doc


def misspell(key):
    return key[:-2] + key[-1] + key[-2] if len(key) > 3 and key[-1] != key[-2] else key + "x"


def mutations(doc, rng):
    """Yields (description, mutated copy) pairs; one pick per kind of change and depth."""
    entries = list(walk(doc))
    dicts = [((), doc)] + [(p, v) for _, _, v, p in entries
                           if isinstance(v, dict) and structural(p + ("x",))]

    def pick(items, n):
        return rng.sample(items, min(n, len(items)))

    by_depth = {}
    for p, d in dicts:
        by_depth.setdefault(len(p), []).append(p)
    for depth in pick(sorted(by_depth), 4):
        p = rng.choice(by_depth[depth])
        m = copy.deepcopy(doc)
        get(m, p)["batonUnknownField"] = "x"
        yield f"unknown field at /{'/'.join(map(str, p))}", m

    keys = [(p, k) for p, d in dicts for k in d if isinstance(k, str)
            and misspell(k) not in d and structural(p + (k,))]
    for p, k in pick(keys, 3):
        m = copy.deepcopy(doc)
        d = get(m, p)
        d[misspell(k)] = d.pop(k)
        yield f"misspelled {k} at /{'/'.join(map(str, p))}", m

    strings = [p for parent, k, v, p in entries if isinstance(v, str) and structural(p)
               and not (k in ("value", "default") and "env" not in p[-3:-2])]
    for p in pick(strings, 3):
        m = copy.deepcopy(doc)
        get(m, p[:-1])[p[-1]] = [get(m, p)]
        yield f"list instead of string at /{'/'.join(map(str, p))}", m

    types = [p for _, k, v, p in entries
             if k == "type" and v in ("string", "array", "object") and structural(p)]
    for p in pick(types, 2):
        m = copy.deepcopy(doc)
        get(m, p[:-1])["type"] = "strng"
        yield f"type: strng at /{'/'.join(map(str, p))}", m

    # Lists whose items the loader reads with a required `name`.
    named_lists = {"params", "env", "workspaces", "results", "tasks", "finally"}
    named = [p for _, _, v, p in entries if isinstance(v, dict) and "name" in v
             and len(p) >= 2 and p[-2] in named_lists and structural(p + ("name",))]
    for p in pick(named, 2):
        m = copy.deepcopy(doc)
        del get(m, p)["name"]
        yield f"no name at /{'/'.join(map(str, p))}", m

    # Accepted by both: YAML numbers are valid param values (kept as their text).
    if "enum" not in json.dumps(doc):
        values = [p for _, k, v, p in entries if k == "value" and isinstance(v, str)
                  and len(p) >= 3 and p[-3] == "params" and "matrix" not in p]
        for p in pick(values, 1):
            m = copy.deepcopy(doc)
            get(m, p[:-1])["value"] = 1.10
            yield f"number as param value at /{'/'.join(map(str, p))}", m


def dump(doc):
    """One document as YAML text. JSON is YAML, and Python's json is fast where PyYAML's pure
    Python emitter took most of the run; scalars keep their type (strings stay quoted)."""
    return "---\n" + json.dumps(doc, ensure_ascii=False, allow_nan=False) + "\n"


def baton_verdicts(baton, paths):
    """{path: accepted?} from one `baton validate --output json` per chunk of files."""
    out = {}
    for i in range(0, len(paths), 200):
        chunk = paths[i:i + 200]
        r = subprocess.run([baton, "validate", "--output", "json"] + chunk,
                           capture_output=True, text=True)
        if r.returncode not in (0, 1):
            raise RuntimeError(f"baton validate exited {r.returncode}: {r.stderr[:500]}")
        for entry in json.loads(r.stdout):
            msgs = [f"{e['path']}: {e['message']}" for e in entry["errors"]]
            out[entry["file"]] = (entry["valid"], "; ".join(msgs)[:300])
    return out


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    baton, corpus_dir = argv[1], argv[2]
    res = Results()
    validators = load_schemas(res)
    combined = validators.get("tekton.dev.json")
    if combined is None:
        res.check(False, "tekton.dev.json missing")
        print(f"{res.passed} passed, {res.failed} failed")
        return 1

    rng = random.Random(SEED)
    files_with_tekton = []
    cases = []  # (file, doc index, description, mutated file text, schema accepted?, error)
    for path in corpus_files(corpus_dir):
        rel = os.path.relpath(path, corpus_dir)
        with open(path, encoding="utf-8") as f:
            try:
                docs = [d for d in yaml.load_all(f, Loader=Yaml12Loader) if d is not None]
            except yaml.YAMLError as e:
                res.check(False, f"{rel}: YAML error {e}")
                continue
        if not any(is_tekton(d) for d in docs):
            continue
        files_with_tekton.append(path)
        for i, doc in enumerate(docs):
            if not is_tekton(doc):
                continue
            name = schema_for(doc)
            v = validators.get(name)
            res.check(v is not None, f"{rel}#{i}: no schema {name} for {doc.get('apiVersion')} "
                                     f"{doc.get('kind')}")
            for label, val in ((name, v), ("tekton.dev.json", combined)):
                if val is not None:
                    err = first_error(val, doc)
                    res.check(err is None, f"{rel}#{i}: {label} rejects corpus document: {err}")
            # Mutations are judged by the document's own per-kind schema (the all-kinds one
            # says the same, slower), so a misspelled `kind` still meets its schema.
            texts = [dump(d) for d in docs]
            for what, m in mutations(doc, rng):
                err = first_error(v or combined, m)
                mutated = "".join(texts[:i] + [dump(m)] + texts[i + 1:])
                cases.append((rel, i, what, mutated, err is None, err))

    # The loader accepts the corpus files as they are.
    verdicts = baton_verdicts(baton, files_with_tekton)
    for path in files_with_tekton:
        ok, msg = verdicts[path]
        res.check(ok, f"{os.path.relpath(path, corpus_dir)}: baton rejects corpus file: {msg}")

    with tempfile.TemporaryDirectory(prefix="baton-schema-") as tmp:
        run_cases(res, baton, validators, combined, tmp)
        # Baselines: each corpus file, re-serialised, must still load, or its mutations say
        # nothing about the mutation.
        baselines = {}
        for rel in sorted({c[0] for c in cases}):
            with open(os.path.join(corpus_dir, rel), encoding="utf-8") as f:
                docs = [d for d in yaml.load_all(f, Loader=Yaml12Loader) if d is not None]
            p = os.path.join(tmp, f"base{len(baselines)}.yaml")
            with open(p, "w", encoding="utf-8") as f:
                f.write("".join(dump(d) for d in docs))
            baselines[rel] = p
        paths = []
        for n, (rel, i, what, text, _, _) in enumerate(cases):
            p = os.path.join(tmp, f"m{n}.yaml")
            with open(p, "w", encoding="utf-8") as f:
                f.write(text)
            paths.append(p)
        verdicts = baton_verdicts(baton, list(baselines.values()) + paths)
        bad_base = set()
        for rel, p in baselines.items():
            ok, msg = verdicts[p]
            res.check(ok, f"{rel}: baton rejects the re-serialised file: {msg}")
            if not ok:
                bad_base.add(rel)
        agree = {True: 0, False: 0}
        for (rel, i, what, _, schema_ok, err), p in zip(cases, paths):
            if rel in bad_base:
                continue
            baton_ok, msg = verdicts[p]
            same = schema_ok == baton_ok
            if same:
                agree[schema_ok] += 1
            res.check(same, f"{rel}#{i} {what}: schema "
                            f"{'accepts' if schema_ok else 'rejects (' + str(err) + ')'}, baton "
                            f"{'accepts' if baton_ok else 'rejects (' + msg + ')'}")
        print(f"mutations: {len(cases)}, both reject {agree[False]}, both accept {agree[True]}")

    print(f"{res.passed} passed, {res.failed} failed")
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
