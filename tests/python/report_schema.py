"""validate(report): asserts a report (dict) is a valid "tinyq.report" by docs/report.schema.json."""
import json

import jsonschema

from conftest import ROOT

_VALIDATOR = jsonschema.Draft202012Validator(
    json.loads((ROOT / "docs" / "report.schema.json").read_text()))


def validate(report):
    errors = sorted(_VALIDATOR.iter_errors(dict(report)), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"[:300]
                        for e in errors]
