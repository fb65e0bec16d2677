#!/usr/bin/python3
# validate.py — validates bootlens JSON outputs against schemas/ (JSON Schema
# draft 2020-12) with python3-jsonschema, Debian's.
#
#   validate.py --schemas DIR --schema-version V --tool-version T
#               [--self-test] [--commands C,C...] COMMAND:FILE...
#
# FILE is JSON (one document, or several one after the other), or JSONL
# (one document a line, .jsonl).  Each
# is checked against schemas/COMMAND.schema.json twice:
#   - as published: the schemas accept fields and open-enum values they do
#     not know, so a reader holding the 1.0 schemas accepts 1.x output;
#   - strictly: every object closed (additionalProperties false) and every
#     open enumeration (x-known-values) closed, so an output field or value
#     the schemas do not document fails here, in the tests, not in a reader.
# Beyond the schemas: schema_version is exactly V (report.h's constant) and
# defs.schema.json says it describes V; tool.version is T; the envelope's four
# members come first, in order; each input that is a file here has the
# sha256 of that file.  --commands lists the commands that write JSON: each
# must have a schema and at least one document checked, and each schema
# must have been used.  --self-test proves
# the checks can fail (a document missing schema_version, with an unknown
# field, an unknown open-enum value, a wrong closed-enum value, a wrong type).
# Exit 0, or 1 with every failure on stderr.
import argparse
import copy
import hashlib
import json
import os
import pathlib
import sys

import jsonschema
from jsonschema import Draft202012Validator

ENVELOPE = ["schema_version", "tool", "command", "inputs"]


def tighten(node):
    """The strict form of a schema: closed objects, closed open-enums."""
    if isinstance(node, list):
        return [tighten(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k == "properties" and isinstance(v, dict):
            out[k] = {name: tighten(sub) for name, sub in v.items()}
        else:
            out[k] = tighten(v)
    if "x-known-values" in out:
        out["enum"] = list(out["x-known-values"])
    if "properties" in out and "additionalProperties" not in out and "unevaluatedProperties" not in out:
        out["additionalProperties"] = False
    return out


class Schemas:
    def __init__(self, directory):
        self.dir = pathlib.Path(directory).resolve()
        self.raw = {}
        for f in sorted(self.dir.glob("*.schema.json")):
            with open(f, encoding="utf-8") as fh:
                s = json.load(fh)
            Draft202012Validator.check_schema(s)
            self.raw[f.name] = s
        self.validators = {True: {}, False: {}}

    def uri(self, name):
        return (self.dir / name).as_uri()

    def validator(self, command, strict):
        cache = self.validators[strict]
        if command in cache:
            return cache[command]
        name = f"{command}.schema.json"
        docs = {n: (tighten(s) if strict else s) for n, s in self.raw.items()}
        try:
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT202012

            registry = Registry().with_resources(
                (self.uri(n), Resource(contents=s, specification=DRAFT202012)) for n, s in docs.items()
            )
            v = Draft202012Validator({"$ref": self.uri(name)}, registry=registry)
        except ImportError:  # python3-jsonschema before 4.18 (Debian 12)
            store = {self.uri(n): s for n, s in docs.items()}
            resolver = jsonschema.RefResolver(base_uri=self.uri(name), referrer=docs[name], store=store)
            v = Draft202012Validator(docs[name], resolver=resolver)
        cache[command] = v
        return v


def where(err):
    return "/" + "/".join(str(p) for p in err.absolute_path)


def explain(err):
    """The error, or for oneOf/anyOf the most relevant of its branches'."""
    if err.validator in ("oneOf", "anyOf") and err.context:
        err = jsonschema.exceptions.best_match(err.context)
    return f"{where(err)}: {err.message[:300]}"


def schema_errors(schemas, command, doc, strict):
    v = schemas.validator(command, strict)
    return sorted(v.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def input_errors(doc):
    """Inputs named by a path that exists here must carry its digest."""
    bad = []
    files = []
    for e in doc.get("inputs", []):
        files.append(e)
        files.extend(e.get("logs") or [])
    for e in files:
        origin, digest = e.get("origin"), e.get("sha256")
        if digest is None or "#" in origin or not os.path.isfile(origin):
            continue
        if sha256_of(origin) != digest:
            bad.append(f"inputs: {origin}: sha256 {digest} is not the file's")
        if e.get("size") != os.path.getsize(origin):
            bad.append(f"inputs: {origin}: size {e.get('size')} is not the file's")
    return bad


def check(schemas, command, doc, args):
    """Every failure of one document, as lines."""
    out = []
    if not isinstance(doc, dict):
        return ["not a JSON object"]
    keys = list(doc.keys())[: len(ENVELOPE)]
    if keys != ENVELOPE:
        out.append(f"the envelope must come first: {ENVELOPE}, not {keys}")
    if doc.get("schema_version") != args.schema_version:
        out.append(f"schema_version {doc.get('schema_version')!r}, expected {args.schema_version!r}")
    if doc.get("tool", {}).get("version") != args.tool_version:
        out.append(f"tool.version {doc.get('tool', {}).get('version')!r}, expected {args.tool_version!r}")
    if doc.get("command") != command:
        out.append(f"command {doc.get('command')!r}, expected {command!r}")
    for strict in (False, True):
        for e in schema_errors(schemas, command, doc, strict)[:5]:
            out.append(f"{'strict' if strict else 'schema'}: {explain(e)}")
    out.extend(input_errors(doc))
    return out


def documents(path):
    """The documents of a file: JSONL (.jsonl) is one a line, anything else
    one JSON value or several one after the other (a batch with --format
    json: compact lines, then the pretty summary)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".jsonl"):
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                yield f"{path}:{n}", json.loads(line)
        return
    decoder = json.JSONDecoder()
    pos, n = 0, 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            break
        doc, pos = decoder.raw_decode(text, pos)
        n += 1
        yield (path if n == 1 else f"{path} (document {n})"), doc
    if n == 0:
        raise ValueError(f"{path}: no JSON document")


def self_test(schemas, command, doc, args):
    """The checks fail where they must (and the published schemas stay open)."""
    failures = []

    def expect(what, mutate, published_ok, strict_ok):
        d = copy.deepcopy(doc)
        mutate(d)
        pub = not schema_errors(schemas, command, d, False)
        strict = not schema_errors(schemas, command, d, True)
        if pub != published_ok or strict != strict_ok:
            failures.append(
                f"self-test: {what}: published {'accepts' if pub else 'rejects'}, strict "
                f"{'accepts' if strict else 'rejects'} (expected {published_ok}, {strict_ok})"
            )

    expect("the document as it is", lambda d: None, True, True)
    expect("no schema_version", lambda d: d.pop("schema_version"), False, False)
    expect("schema_version 2.0", lambda d: d.update(schema_version="2.0"), False, False)
    expect("an unknown top-level field", lambda d: d.update(unexpected_field=1), True, False)
    expect("an unknown field in the hive", lambda d: d["hive"].update(unexpected_field=1), True, False)
    expect("an unknown phase (open enum)", lambda d: d["load_order"][0].update(phase="teleport"), True, False)
    expect("a severity that is none (closed enum)", lambda d: d["findings"][0].update(severity="fatal"), False, False)
    expect("control_set as a string", lambda d: d["hive"].update(control_set="1"), False, False)
    expect("an input without its digest", lambda d: d["inputs"][0].pop("sha256"), False, False)
    d = copy.deepcopy(doc)
    d["inputs"][0]["sha256"] = "0" * 64
    if not input_errors(d):
        failures.append("self-test: a wrong input digest is not noticed")
    if not check(schemas, command, dict(list(doc.items())[1:] + [("schema_version", doc["schema_version"])]), args):
        failures.append("self-test: an envelope out of order is not noticed")
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--schemas", required=True)
    ap.add_argument("--schema-version", required=True)
    ap.add_argument("--tool-version", required=True)
    ap.add_argument("--commands", default="")
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("docs", nargs="*", metavar="COMMAND:FILE")
    args = ap.parse_args()

    schemas = Schemas(args.schemas)
    failures = []
    described = schemas.raw.get("defs.schema.json", {}).get("x-schema-version")
    if described != args.schema_version:
        failures.append(f"defs.schema.json describes schema_version {described!r}, the program writes {args.schema_version!r}")
    checked = {}
    sample = None
    for spec in args.docs:
        command, _, path = spec.partition(":")
        if f"{command}.schema.json" not in schemas.raw:
            failures.append(f"{path}: no schema for command {command!r}")
            continue
        for label, doc in documents(path):
            checked[command] = checked.get(command, 0) + 1
            for line in check(schemas, command, doc, args):
                failures.append(f"{label} ({command}): {line}")
            if sample is None and command == "analyze" and doc.get("findings") and doc.get("load_order"):
                sample = doc
    for command in filter(None, args.commands.split(",")):
        if f"{command}.schema.json" not in schemas.raw:
            failures.append(f"command {command} writes JSON but schemas/{command}.schema.json is missing")
        elif not checked.get(command):
            failures.append(f"command {command}: no output was validated")
    for name in schemas.raw if args.commands else []:
        command = name[: -len(".schema.json")]
        if command != "defs" and not checked.get(command):
            failures.append(f"schemas/{name}: no output was validated against it")
    if args.self_test:
        if sample is None:
            failures.append("self-test: no analyze output with findings to mutate")
        else:
            failures.extend(self_test(schemas, "analyze", sample, args))
    for f in failures:
        print(f"schemas: FAIL: {f}", file=sys.stderr)
    total = sum(checked.values())
    per = ", ".join(f"{c} {k}" for c, k in sorted(checked.items()))
    print(f"schemas: {total} documents checked ({per}), {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
