#!/usr/bin/env python3
"""Checks every bundled scenario against scenarios/scenario.schema.json with an independent validator.

The schema is what editors use; this keeps it and the bundled files in agreement. Prints one line per file and
a closing 'N passed, N failed' line; exits 1 on any failure.
"""
import json
import pathlib
import sys

import jsonschema

root = pathlib.Path(__file__).resolve().parents[2]
schema = json.loads((root / "scenarios" / "scenario.schema.json").read_text())
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

passed = failed = 0
for path in sorted((root / "scenarios").glob("*.json")):
    if path.name.endswith(".schema.json"):
        continue
    errors = sorted(validator.iter_errors(json.loads(path.read_text())), key=lambda e: list(e.path))
    if errors:
        failed += 1
        for error in errors:
            where = "/".join(str(p) for p in error.path) or "(root)"
            print(f"FAIL {path.name}: {where}: {error.message}")
    else:
        passed += 1
        print(f"ok   {path.name}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
