"""tinyq.torch: knowledge-distillation helpers for PyTorch training loops.

``kd_loss`` is the same loss ``tinyq distill`` minimizes, and ``TeacherDataset`` serves a
dataset's samples with the teacher's logits computed once by tinyq's float executor, so a student
can be trained in PyTorch against a teacher that only exists as ONNX. torch is imported lazily:
``import tinyq`` never needs it.

    ds = tinyq.torch.TeacherDataset("teacher.onnx", "train.npz", card="card.json")
    for x, y, t in torch.utils.data.DataLoader(ds, batch_size=64, shuffle=True):
        loss = tinyq.torch.kd_loss(student(x), t, T=4.0, alpha=0.9, labels=y)
"""

import numpy as np


def kd_loss(student_logits, teacher_logits, T=4.0, alpha=0.9, labels=None):
    """Mean over the batch of ``(1 - alpha) * CE(s, labels) + alpha * T^2 * KL(p_t || p_s)``,
    p = softmax(logits / T). Without labels only the KD term is used (alpha is taken as 1)."""
    import torch  # noqa: PLC0415
    import torch.nn.functional as F  # noqa: PLC0415
    log_q = F.log_softmax(student_logits / T, dim=1)
    log_p = F.log_softmax(teacher_logits / T, dim=1)
    kd = (log_p.exp() * (log_p - log_q)).sum(dim=1).mean() * (T * T)
    if labels is None:
        return kd
    ce = F.cross_entropy(student_logits, labels.long() if torch.is_tensor(labels)
                         else torch.as_tensor(labels, dtype=torch.long))
    return (1.0 - alpha) * ce + alpha * kd


def teacher_logits(teacher, x, *, card=None, scale=1.0, mean=0.0, std=1.0, batch=256,
                   threads=2):
    """The teacher's first output on every sample of x (numpy, float32 [N, classes]), computed
    with tinyq's float executor after the preprocessing ``((x * scale) - mean) / std``."""
    from . import load  # noqa: PLC0415
    from .model import Model, card_settings  # noqa: PLC0415
    if not isinstance(teacher, Model):
        teacher = load(teacher)
    scale, mean, std, _ = card_settings(card, scale, mean, std, None)
    name, shape = next(iter(teacher.inputs.items()))
    out_name = teacher.outputs[0]
    out = []
    for b in range(0, len(x), batch):
        xb = x[b:b + batch].astype(np.float32)
        xb = ((xb * np.float32(scale)) - np.float32(mean)) / np.float32(std)
        xb = xb.reshape((len(xb),) + tuple(shape[1:]))
        res = teacher.run({name: np.ascontiguousarray(xb, dtype=np.float32)}, threads=threads)
        out.append(np.asarray(res[out_name]).reshape(len(xb), -1))
    return np.concatenate(out).astype(np.float32)


class _Lazy:
    """Builds the torch Dataset class on first use (torch imported only then)."""

    def __call__(self, *args, **kwargs):
        import torch  # noqa: PLC0415

        class TeacherDataset(torch.utils.data.Dataset):
            """(x, y, teacher_logits) triples: x preprocessed float32 in the model's sample shape,
            y the int64 label, teacher_logits computed once with tinyq (optionally read from /
            written to ``cache``, an .npz with ``logits``)."""

            def __init__(self, teacher, data, *, card=None, scale=1.0, mean=0.0, std=1.0,
                         cache=None, limit=None):
                from . import read_dataset  # noqa: PLC0415
                from .model import card_settings  # noqa: PLC0415
                d = read_dataset(str(data)) if not isinstance(data, dict) else data
                x, y = np.asarray(d["x"]), np.asarray(d["y"])
                if limit:
                    x, y = x[:limit], y[:limit]
                self.scale, self.mean, self.std, _ = card_settings(card, scale, mean, std, None)
                logits = None
                if cache is not None:
                    try:
                        with np.load(cache) as z:
                            if z["logits"].shape[0] == len(x):
                                logits = z["logits"]
                    except (OSError, KeyError):
                        logits = None
                if logits is None:
                    logits = teacher_logits(teacher, x, scale=self.scale, mean=self.mean,
                                            std=self.std)
                    if cache is not None:
                        np.savez(cache, logits=logits)
                self.x, self.y, self.logits = x, y, logits

            def __len__(self):
                return len(self.x)

            def __getitem__(self, i):
                x = (self.x[i].astype(np.float32) * np.float32(self.scale) -
                     np.float32(self.mean)) / np.float32(self.std)
                return (torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)),
                        int(self.y[i]), torch.from_numpy(self.logits[i].copy()))

        return TeacherDataset(*args, **kwargs)


TeacherDataset = _Lazy()
