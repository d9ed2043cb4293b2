"""Fitting small heads on fixed features: softmax classifiers (linear or one hidden layer, torch),
ridge regression (closed form, numpy) and temperature scaling. All seeded and deterministic
(torch fits run single-threaded whatever the environment says: see :data:`FIT_THREADS`).

The fitted layers come back as :class:`~emoreason.heads.head_file.DenseStack` (numpy), so the
package never needs torch to run a head. Conventions: features are rows of ``x``; class
labels are ints ``0..n_classes-1``; ``sample_weight`` multiplies each row's loss.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from emoreason.heads.head_file import DenseStack, softmax


@dataclass(frozen=True)
class ClassifierConfig:
    """Hyper-parameters of :func:`fit_classifier`."""

    hidden: int = 0  # 0: a linear (multinomial logistic) head; >0: one hidden layer of this width
    weight_decay: float = 1e-4  # L2 penalty on the weights (AdamW decoupled decay)
    epochs: int = 40
    batch_size: int = 256
    lr: float = 2e-3
    dropout: float = 0.1  # on the hidden layer only
    class_weight: str = "none"  # "none" | "balanced" | "sqrt" (inverse square-root frequency)
    label_smoothing: float = 0.0
    seed: int = 0

    def as_dict(self) -> dict[str, object]:
        """The config as plain values (for model cards)."""
        return asdict(self)


def class_weights(y: np.ndarray, n_classes: int, mode: str) -> np.ndarray:
    """Per-class loss weights: 1 (``none``), n/(k·count) (``balanced``) or its square root (``sqrt``)."""
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    if mode == "none":
        return np.ones(n_classes)
    if mode not in ("balanced", "sqrt"):
        raise ValueError(f"class_weight {mode!r}: use none, balanced or sqrt")
    present = counts > 0
    w = np.ones(n_classes)
    w[present] = counts[present].sum() / (present.sum() * counts[present])
    return np.sqrt(w) if mode == "sqrt" else w


#: Torch intra-op threads while fitting. One, always: with two threads the reductions are ordered
#: differently and a retrained head's test metrics moved by up to 0.02 (measured on text-emotion).
FIT_THREADS = 1


def fit_classifier(x: np.ndarray, y: np.ndarray, n_classes: int, config: ClassifierConfig,
                   sample_weight: np.ndarray | None = None) -> DenseStack:
    """Train a softmax head with AdamW on mini-batches; returns its layers (numpy)."""
    import torch

    torch.manual_seed(config.seed)
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(FIT_THREADS)
    try:
        xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
        yt = torch.from_numpy(np.asarray(y, dtype=np.int64))
        sw = torch.from_numpy(np.ones(len(y), np.float32) if sample_weight is None
                              else np.asarray(sample_weight, np.float32))
        cw = torch.from_numpy(class_weights(np.asarray(y), n_classes, config.class_weight).astype(np.float32))
        dim = xt.shape[1]
        if config.hidden > 0:
            model = torch.nn.Sequential(torch.nn.Dropout(config.dropout), torch.nn.Linear(dim, config.hidden),
                                        torch.nn.ReLU(), torch.nn.Dropout(config.dropout),
                                        torch.nn.Linear(config.hidden, n_classes))
        else:
            model = torch.nn.Sequential(torch.nn.Linear(dim, n_classes))
        optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        loss_fn = torch.nn.CrossEntropyLoss(weight=cw, reduction="none", label_smoothing=config.label_smoothing)
        generator = torch.Generator().manual_seed(config.seed)
        steps = config.epochs * max(1, -(-len(yt) // config.batch_size))
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=steps)
        model.train()
        for _ in range(config.epochs):
            order = torch.randperm(len(yt), generator=generator)
            for start in range(0, len(yt), config.batch_size):
                idx = order[start:start + config.batch_size]
                loss = (loss_fn(model(xt[idx]), yt[idx]) * sw[idx]).sum() / sw[idx].sum()
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
        linears = [m for m in model if isinstance(m, torch.nn.Linear)]
        return DenseStack([m.weight.detach().numpy().T.copy() for m in linears],
                          [m.bias.detach().numpy().copy() for m in linears], "relu")
    finally:
        torch.set_num_threads(previous_threads)


def fit_ridge(x: np.ndarray, t: np.ndarray, alpha: float, sample_weight: np.ndarray | None = None) -> DenseStack:
    """Weighted ridge regression with an unpenalised intercept (closed form); one output."""
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    w = np.ones(len(t)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    mean_x = (w[:, None] * x).sum(0) / w.sum()
    mean_t = float((w * t).sum() / w.sum())
    xc, tc = x - mean_x, t - mean_t
    gram = (xc * w[:, None]).T @ xc + alpha * np.eye(x.shape[1])
    coef = np.linalg.solve(gram, (xc * w[:, None]).T @ tc)
    bias = mean_t - mean_x @ coef
    return DenseStack([coef[:, None].astype(np.float32)], [np.array([bias], dtype=np.float32)], "relu")


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature in [0.25, 8] (log grid, then refined) minimising the dev NLL of `softmax(logits/T)`."""
    y = np.asarray(y)

    def nll(temp: float) -> float:
        p = softmax(logits, temp)[np.arange(len(y)), y]
        return float(-np.mean(np.log(np.maximum(p, 1e-12))))

    grid = np.exp(np.linspace(np.log(0.25), np.log(8.0), 61))
    best = float(grid[int(np.argmin([nll(t) for t in grid]))])
    fine = best * np.exp(np.linspace(-0.06, 0.06, 25))
    return round(float(fine[int(np.argmin([nll(t) for t in fine]))]), 4)


def expected_calibration_error(probs: np.ndarray, y: np.ndarray, bins: int = 15) -> float:
    """Top-label ECE with equal-width confidence bins."""
    conf = probs.max(axis=1)
    hit = (probs.argmax(axis=1) == np.asarray(y)).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        mask = (conf > low) & (conf <= high)
        if mask.any():
            ece += mask.mean() * abs(hit[mask].mean() - conf[mask].mean())
    return float(ece)


def merge_ensemble(stacks: list[DenseStack]) -> DenseStack:
    """One stack whose logits are the mean of `stacks`' logits (same depth; hidden layers side by side).

    Exact for one-hidden-layer stacks (hidden units concatenated, output weights divided by
    their number) and for linear ones (weights averaged).
    """
    k = len(stacks)
    if k == 1:
        return stacks[0]
    depth = {len(s.weights) for s in stacks}
    if depth == {1}:
        return DenseStack([sum(s.weights[0] for s in stacks) / k], [sum(s.biases[0] for s in stacks) / k],
                          stacks[0].activation)
    if depth != {2}:
        raise ValueError("merge_ensemble handles linear or one-hidden-layer stacks")
    return DenseStack([np.concatenate([s.weights[0] for s in stacks], axis=1),
                       np.concatenate([s.weights[1] for s in stacks], axis=0) / k],
                      [np.concatenate([s.biases[0] for s in stacks]), sum(s.biases[1] for s in stacks) / k],
                      stacks[0].activation)
