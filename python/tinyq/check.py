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
    def skipped(self):
        """How many requested checks could not run (their ``detail`` says what was missing)."""
        return self._d["skipped"]

    @property
    def checks(self):
        """Every check: dicts with name, result ("pass", "fail" or "skip"), value, limit, unit,
        passed, detail."""
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


def _source(report):
    """A path, or (name, JSON text) for a report object (:class:`tinyq.Report` or a dict)."""
    if report is None or not isinstance(report, dict):
        return None if report is None else os.fspath(report)
    return (f"<{report.get('verb', 'tinyq')} report>", json.dumps(report))


def check(report, baseline=None, *, max_accuracy_drop=None, max_flash_growth=None,
          max_ram_growth=None, junit=None, markdown=None):
    """Compares a report with limits and a baseline report, as ``tinyq check`` does.

    ``report``/``baseline``: the report of any verb, as a path of its JSON or as the
    :class:`tinyq.Report` a verb returned. ``max_accuracy_drop`` is in points (top-1 percent
    points, AUC x 100) and applies to the verb's result (int8, else pruned) vs float and to the
    result vs the baseline's; growths are percentages of the baseline (flash, else C const data
    or int8 weights; RAM, else arena). A report's board limits are always checked. A requested
    check whose figures a report lacks is skipped and says why (``result.skipped``). Writes
    JUnit XML / Markdown when paths are given. Returns a :class:`CheckResult` (falsy when a check
    failed); malformed reports raise :class:`tinyq.InvalidArgumentError` naming the file and
    field, and so does a report with nothing to check.
    """
    from . import _tinyq  # noqa: PLC0415
    return CheckResult(*_tinyq.check(_source(report), _source(baseline), max_accuracy_drop,
                                     max_flash_growth, max_ram_growth, _path(junit),
                                     _path(markdown)))
