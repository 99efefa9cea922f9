"""tinyq.plots: matplotlib figures of tinyq reports, for notebooks and report files.

    import tinyq, tinyq.plots as tp
    rep = tinyq.shrink(...)
    tp.sqnr(rep); tp.confusion(rep); tp.memory_timeline(rep)
    tp.accuracy_vs_flash(tinyq.sweep(...))

Every function takes a report (a :class:`tinyq.ShrinkReport`, its ``to_dict()``, or the matching
part: a quantize report, an export report, a confusion matrix) and an optional matplotlib ``ax``,
and returns the ``ax``. matplotlib is imported when a plot is made (Debian ``python3-matplotlib``).
"""

import numpy as np


def _dict(report):
    return report.to_dict() if hasattr(report, "to_dict") else report


def _ax(ax, figsize):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # noqa: PLC0415
    _, ax = plt.subplots(figsize=figsize)
    return ax


def _layers(report):
    d = _dict(report)
    if "layers" in d and d["layers"] and "sqnr_db" in d["layers"][0]:
        return d["layers"]
    if "quantize" in d:
        return d["quantize"]["layers"]
    raise ValueError("no per-layer quantization errors in this report (need 'layers' with sqnr_db)")


def sqnr(report, ax=None, limit_db=80.0):
    """Horizontal bars of the SQNR (dB) of every quantized tensor against the float model."""
    layers = _layers(report)
    ax = _ax(ax, (7, max(2.5, 0.22 * len(layers))))
    db = np.minimum([l["sqnr_db"] for l in layers], limit_db)
    colors = ["#d9534f" if v < 20 else "#f0ad4e" if v < 30 else "#5cb85c" for v in db]
    y = np.arange(len(layers))
    ax.barh(y, db, color=colors)
    ax.set_yticks(y)
    ax.set_yticklabels([l["tensor"][-40:] for l in layers], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("SQNR dB (int8 vs float)")
    ax.set_title("Per-layer quantization error")
    return ax


def confusion(report, ax=None, normalize=False):
    """Heat map of the int8 confusion matrix (rows: true class, columns: predicted)."""
    d = report if isinstance(report, (list, np.ndarray)) else _dict(report)
    m = np.asarray(d if isinstance(d, (list, np.ndarray)) else d["evaluation"]["confusion_int8"],
                   dtype=float)
    if m.size == 0:
        raise ValueError("no confusion matrix in this report (top-1 models only)")
    if normalize:
        m = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
    ax = _ax(ax, (5, 4.5))
    im = ax.imshow(m, cmap="Blues")
    n = m.shape[0]
    for i in range(n):
        for j in range(n):
            ax.text(j, i, f"{m[i, j]:.2f}" if normalize else int(m[i, j]), ha="center",
                    va="center", fontsize=7, color="white" if m[i, j] > m.max() / 2 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("int8 confusion matrix")
    ax.figure.colorbar(im, ax=ax)
    return ax


def memory_timeline(report, ax=None):
    """The planned arena over time: one rectangle per buffer (x: the execution steps it is live,
    y: its bytes in the arena); in-place buffers share their owner's rectangle."""
    d = _dict(report)
    ex = d.get("export", d)
    if "buffers" not in ex:
        raise ValueError("no memory plan in this report (need an export report with 'buffers')")
    ax = _ax(ax, (8, 3.5))
    import matplotlib  # noqa: PLC0415
    import matplotlib.patches as patches  # noqa: PLC0415
    cmap = matplotlib.colormaps["tab10"]
    steps = 1
    for k, b in enumerate(x for x in ex["buffers"] if not x.get("shared_with")):
        ax.add_patch(patches.Rectangle((b["first_step"], b["offset"]),
                                       b["last_step"] - b["first_step"] + 1, b["bytes"],
                                       facecolor=cmap(k % 10), edgecolor="white", alpha=0.85))
        steps = max(steps, b["last_step"] + 1)
    ax.set_xlim(0, steps)
    ax.set_ylim(0, max(ex["arena_bytes"], 1))
    ax.set_xlabel("execution step")
    ax.set_ylabel("arena offset (bytes)")
    ax.set_title(f"Memory plan: arena {ex['arena_bytes']} B, lower bound "
                 f"{ex['lower_bound_bytes']} B")
    return ax


def accuracy_vs_flash(rows, ax=None):
    """int8 metric against flash (or int8 weight bytes without a board) for several
    configurations: the rows of :func:`tinyq.sweep` or a list of shrink reports."""
    rows = rows.rows if hasattr(rows, "rows") else rows
    pts = []
    for r in rows:
        r = _dict(r)
        if "footprint" in r:  # a shrink report
            fp, metric = r["footprint"], r["metric"]["int8"]
            label = r["model"]["name"]
        else:
            fp, metric, label = r, r["int8"], r.get("label", "")
        pts.append((fp.get("flash_bytes") or fp["int8_weight_bytes"], metric, label,
                    "flash_bytes" in fp and fp.get("flash_bytes") is not None))
    ax = _ax(ax, (6, 4))
    ax.scatter([p[0] / 1024 for p in pts], [p[1] for p in pts])
    for x, y, label, _ in pts:
        ax.annotate(label, (x / 1024, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("flash KB" if all(p[3] for p in pts) else "flash (or int8 weights) KB")
    ax.set_ylabel("int8 metric")
    ax.set_title("Accuracy vs flash")
    return ax
