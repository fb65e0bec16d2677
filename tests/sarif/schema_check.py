#!/usr/bin/python3
"""schema_check.py SCHEMA FILE... — validates each SARIF FILE against the
OASIS SARIF 2.1.0 JSON schema with python3-jsonschema (Debian's package:
run with /usr/bin/python3).  Prints one line per error with the JSON path;
exits 1 when any file is invalid."""
import json
import sys

import jsonschema


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=jsonschema.FormatChecker())
    bad = 0
    for path in sys.argv[2:]:
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print(f"{path}: not JSON: {e}")
            bad += 1
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        for e in errors[:20]:
            where = "/".join(str(p) for p in e.absolute_path)
            print(f"{path}: {where or '(root)'}: {e.message[:300]}")
        if errors:
            bad += 1
    print(f"schema: {len(sys.argv) - 2 - bad} valid, {bad} invalid ({cls.__name__})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
