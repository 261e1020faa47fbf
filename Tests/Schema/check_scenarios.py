#!/usr/bin/env python3
"""Checks scenario files against scenarios/scenario.schema.json with an independent validator.

1. Every bundled scenario (scenarios/*.json) must be valid.
2. Every file of the broken corpus (Tests/Schema/invalid/*.json) must be rejected, with an error at the path
   listed in invalid/expectations.json. The Swift suite (BrokenCorpusTests) checks that the loader rejects the
   same files at the same nodes, so editor and server agree on why a file is wrong.

Prints one line per file and a closing 'N passed, N failed' line; exits 1 on any failure.
"""
import json
import pathlib
import sys

import jsonschema

root = pathlib.Path(__file__).resolve().parents[2]
schema = json.loads((root / "scenarios" / "scenario.schema.json").read_text())
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)


def pointer(error):
    return "".join(f"/{part}" for part in error.absolute_path)


passed = failed = 0
for path in sorted((root / "scenarios").glob("*.json")):
    if path.name.endswith(".schema.json"):
        continue
    errors = sorted(validator.iter_errors(json.loads(path.read_text())), key=pointer)
    if errors:
        failed += 1
        for error in errors:
            print(f"FAIL {path.name}: {pointer(error) or '(root)'}: {error.message}")
    else:
        passed += 1
        print(f"ok   {path.name}")

invalid = root / "Tests" / "Schema" / "invalid"
expectations = json.loads((invalid / "expectations.json").read_text())
listed = {case["file"] for case in expectations}
for path in sorted(invalid.glob("*.json")):
    if path.name != "expectations.json" and path.name not in listed:
        failed += 1
        print(f"FAIL invalid/{path.name}: not listed in expectations.json")
for case in expectations:
    errors = list(validator.iter_errors(json.loads((invalid / case["file"]).read_text())))
    paths = [pointer(error) for error in errors]
    if case["schemaPath"] in paths:
        passed += 1
        print(f"ok   invalid/{case['file']}: rejected at {case['schemaPath'] or '(root)'}")
    else:
        failed += 1
        print(f"FAIL invalid/{case['file']}: expected an error at {case['schemaPath'] or '(root)'}, got {paths or 'none'}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
