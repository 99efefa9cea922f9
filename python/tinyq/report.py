"""tinyq.Report: the report every verb returns in Python, and :func:`evaluate` (``tinyq eval``)."""

import json
import os
import tempfile

# The envelope's own keys (docs/report_schema.md); every other top-level key is a verb's section.
ENVELOPE_KEYS = ("format", "version", "verb", "tinyq_version", "model", "metric", "footprint",
                 "timing")


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _bytes(v):
    return f"{v:,} B" if v < 10240 else f"{v / 1024:.1f} KB ({v:,} B)"


class Report(dict):
    """The report of a tinyq verb: a ``dict`` of its "tinyq.report" JSON (docs/report_schema.md),
    the same JSON the CLI writes with ``--report`` / prints with ``--json``:
    ``format``, ``version``, ``verb``, ``tinyq_version``, ``model`` (path, sha256), ``metric``
    and ``footprint`` when the verb measured them, the verb's own section (``report["quantize"]``,
    ``report["budget"]``, ...) and ``timing`` (wall-clock figures).

    ``to_dict()`` is a plain deep copy, ``save(path)`` writes the JSON, :func:`tinyq.check` takes a
    Report as it is, and a notebook shows it as Markdown tables."""

    @property
    def verb(self):
        """The verb that wrote it: "quantize", "prune", "distill", "train", "eval", "export",
        "budget" or "shrink"."""
        return self.get("verb")

    @property
    def sections(self):
        """The names of the verb-specific sections, in order (e.g. ``["quantize"]``)."""
        return [k for k, v in self.items() if k not in ENVELOPE_KEYS and isinstance(v, dict)]

    def to_dict(self):
        return json.loads(json.dumps(self))

    def save(self, path):
        """Writes the report as JSON (atomically: a temporary file renamed into place)."""
        path = os.fspath(path)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(json.dumps(self, indent=2, ensure_ascii=False) + "\n")
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def _metric_markdown(self):
        m = self.get("metric")
        if not isinstance(m, dict):
            return ""
        cols = [k for k in ("float", "pruned", "int8") if k in m]
        head = "| " + " | ".join(["metric"] + cols + ["samples"]) + " |\n"
        row = [m.get("name", "")] + [_fmt(m[k]) for k in cols] + [str(m.get("samples", ""))]
        return head + "|---" * (len(cols) + 2) + "|\n| " + " | ".join(row) + " |\n\n"

    def _footprint_markdown(self):
        fp = self.get("footprint")
        if not isinstance(fp, dict) or not fp:
            return ""
        rows = []
        for k, v in fp.items():
            if k.endswith("_bytes") and isinstance(v, int) and not isinstance(v, bool):
                rows.append((k, _bytes(v)))
            else:
                rows.append((k, _fmt(v)))
        return "| footprint | |\n|---|---|\n" + "".join(f"| {k} | {v} |\n" for k, v in rows) + "\n"

    def _sections_markdown(self):
        out = ""
        for name in self.sections:
            rows = []
            for k, v in self[name].items():
                if isinstance(v, (int, float, str, bool)):
                    rows.append((k, _fmt(v)))
                elif isinstance(v, list):
                    rows.append((k, f"{len(v)} entries"))
                elif isinstance(v, dict):
                    rows += [(f"{k}.{sk}", _fmt(sv)) for sk, sv in v.items()
                             if isinstance(sv, (int, float, str, bool))]
            out += (f"| {name} | |\n|---|---|\n" + "".join(f"| {k} | {v} |\n" for k, v in rows)
                    + "\n")
        return out

    def _repr_markdown_(self):
        model = self.get("model", {})
        sha = model.get("sha256")
        title = (f"**tinyq {self.verb or '?'}** report (format {self.get('format')} "
                 f"v{self.get('version')}): `{model.get('path', '')}`"
                 + (f" sha256 `{sha[:12]}…`" if sha else "") + "\n\n")
        return (title + self._metric_markdown() + self._footprint_markdown()
                + self._sections_markdown())


def evaluate(model, data, *, card=None, limit=0, threads=0, **preprocess):
    """Top-1 accuracy or anomaly AUC of ``model`` (a :class:`tinyq.Model` or a path; int8 models
    run on the int8 executor) on ``data`` (a path, a dict with x/y or a tuple (x, y)), the engine
    of ``tinyq eval``. Returns its :class:`Report` (verb "eval"): ``report["metric"]`` has the
    value under "int8" or "float" (the executor used), ``report["eval"]`` has ``metric``,
    ``value``, ``loss``, ``samples``, ``executor`` and ``data``."""
    from . import load, read_dataset  # noqa: PLC0415
    if not hasattr(model, "evaluate"):
        model = load(model)
    label = "<numpy arrays>"
    if not isinstance(data, (dict, tuple)):
        label = os.fspath(data)
        data = read_dataset(data)
    x, y = (data["x"], data.get("y")) if isinstance(data, dict) else (data[0], data[1])
    return Report(json.loads(model._evaluate_json(x, y, card=card, limit=limit, threads=threads,
                                                  data_label=label, **preprocess)))
