"""tinyq.report: the dict-like report objects that verbs return in Python."""

import json


class Report(dict):
    """A report of a tinyq verb: a ``dict`` of its JSON (format, version and the verb's fields),
    with ``to_dict()`` (a plain, deep copy) and a Markdown display in notebooks."""

    def to_dict(self):
        return json.loads(json.dumps(self))

    def _repr_markdown_(self):
        fmt = self.get("format", "tinyq report")
        rows = [(k, v) for k, v in self.items()
                if isinstance(v, (int, float, str, bool)) and k not in ("format", "version")]
        for section in ("flash", "ram", "measured", "estimates"):
            if isinstance(self.get(section), dict):
                rows += [(f"{section}.{k}", v) for k, v in self[section].items()
                         if isinstance(v, (int, float, str, bool))]
        body = "".join(f"| {k} | {v:.4g} |\n" if isinstance(v, float) else f"| {k} | {v} |\n"
                       for k, v in rows)
        return f"**{fmt}**\n\n| field | value |\n|---|---|\n{body}"


def evaluate(model, data, *, card=None, limit=0, threads=0, **preprocess):
    """Top-1 accuracy or anomaly AUC of ``model`` (a :class:`tinyq.Model` or a path; int8 models
    run on the int8 executor) on ``data`` (a path, a dict with x/y or a tuple (x, y)), the engine
    of ``tinyq eval``. Returns a :class:`Report` with ``metric``, ``value``, ``loss``,
    ``samples``."""
    from . import load, read_dataset  # noqa: PLC0415
    if not hasattr(model, "evaluate"):
        model = load(model)
    if not isinstance(data, (dict, tuple)):
        data = read_dataset(data)
    x, y = (data["x"], data.get("y")) if isinstance(data, dict) else (data[0], data[1])
    return Report(model.evaluate(x, y, card=card, limit=limit, threads=threads, **preprocess))
