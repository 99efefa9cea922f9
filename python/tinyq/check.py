"""tinyq.check: the CI gate (the engine of ``tinyq check``) over "tinyq.report" files."""

import json
import os


class CheckResult:
    """The outcome of :func:`check`: ``passed``, ``failures`` and ``checks`` (a list of dicts with
    name, value, limit, unit, passed, detail). Renders as a Markdown table in notebooks."""

    def __init__(self, result_json, markdown, text):
        self._d = json.loads(result_json)
        self._markdown = markdown
        self._text = text

    @property
    def passed(self):
        return self._d["passed"]

    @property
    def failures(self):
        return self._d["failures"]

    @property
    def checks(self):
        return list(self._d["checks"])

    def to_dict(self):
        return json.loads(json.dumps(self._d))

    def __bool__(self):
        return self.passed

    def __str__(self):
        return self._text

    def __repr__(self):
        return f"CheckResult(passed={self.passed}, failures={self.failures}, checks={len(self.checks)})"

    def _repr_markdown_(self):
        return self._markdown


def _path(p):
    return "" if p is None else os.fspath(p)


def check(report, baseline=None, *, max_accuracy_drop=None, max_flash_growth=None,
          max_ram_growth=None, junit=None, markdown=None):
    """Compares a report (path of a "tinyq.report" JSON) with limits and a baseline report.

    ``max_accuracy_drop`` is in points (top-1 percent points, AUC x 100) and applies to int8 vs float
    and to int8 vs the baseline's int8; growths are percentages of the baseline. A report's board
    limits are always checked. Writes JUnit XML / Markdown when paths are given. Returns a
    :class:`CheckResult` (falsy when a check failed); malformed reports raise
    :class:`tinyq.InvalidArgumentError` naming the file and field.
    """
    from . import _tinyq  # noqa: PLC0415
    return CheckResult(*_tinyq.check(_path(report), _path(baseline), max_accuracy_drop,
                                     max_flash_growth, max_ram_growth, _path(junit),
                                     _path(markdown)))
