"""tinyq.targets / tinyq.budget: board profiles and the measured budget (``tinyq targets``,
``tinyq budget``)."""

import json
import os

from . import _tinyq
from .report import Report


def targets(profile=None):
    """The built-in board profiles as a list of dicts (id, name, mcu, core, build_core, clock_hz,
    flash_bytes, ram_bytes, active_power_mw, source); with ``profile`` (a JSON path), that user
    profile, validated (``InvalidArgumentError`` naming the file and field)."""
    text = _tinyq.board_profile_json(os.fspath(profile)) if profile else _tinyq.targets_json()
    return json.loads(text)["boards"]


def _text(value):
    return "" if value is None else str(value)


def budget(model, target=None, *, profile=None, flash=None, ram=None, rate=None, battery=None,
           calib=None, card=None, name=None, opt="-Os", keep=None, timeout=300):
    """Exports ``model`` as C (an int8 QDQ ONNX path, or a float one with ``calib`` data and an
    optional ``card``; a generated C directory is used as it is), builds it for a board, measures
    it and returns its :class:`tinyq.Report` (the JSON of ``tinyq budget --json``, verb "budget":
    ``report["footprint"]`` has flash/RAM against the board's limits and ``fits``;
    ``report["budget"]`` has ``fits``, ``failures``, ``flash``, ``ram``, ``measured``,
    ``estimates`` and ``layers``).

    ``target``: a board id (:func:`targets`) or ``profile``: a JSON profile path. ``flash``/``ram``
    override the board (``"1M"``, ``"256K"`` or bytes). ``rate`` (``"1/s"``) and ``battery``
    (``"220mAh@3V"``) add a battery-life estimate. A model that does not fit is not an error:
    ``report["budget"]["fits"]`` is False and ``report["budget"]["failures"]`` says which limit
    and by how much (``tinyq.check(report)`` fails on it).
    """
    text = _tinyq.budget_json(os.fspath(model), _text(name),
                              os.fspath(calib) if calib else "", os.fspath(card) if card else "",
                              _text(target),
                              os.fspath(profile) if profile else "", _text(flash), _text(ram),
                              _text(rate), _text(battery), opt,
                              os.fspath(keep) if keep else "", int(timeout))
    return Report(json.loads(text))
