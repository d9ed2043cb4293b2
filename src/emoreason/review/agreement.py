"""Inter-rater agreement: Krippendorff's alpha and Cohen's kappa (pure numpy).

Conventions:

* Krippendorff's alpha takes a raters × units matrix with ``nan`` where a rater did not rate a
  unit; units with fewer than two ratings are not pairable and are dropped. Distance metrics:
  ``nominal`` (0/1), ``ordinal`` (squared rank distance through the marginal counts),
  ``interval`` (squared difference). Krippendorff (2011), "Computing Krippendorff's alpha-reliability".
  Higher is better; 1 = perfect, 0 = chance, < 0 = systematic disagreement. ``nan`` when there is
  no variation at all.
* Cohen's kappa takes two equal-length label sequences; ``weights`` None, ``linear`` or
  ``quadratic`` weigh disagreements by the distance of the label *positions* in ``labels``
  (as scikit-learn's ``cohen_kappa_score``).

Both are checked against reference implementations (the ``krippendorff`` package and
scikit-learn) in ``tests/review/test_agreement.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

LEVELS = ("nominal", "ordinal", "interval")


def _coincidences(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values present and the coincidence matrix of a raters × units matrix."""
    values = np.unique(data[~np.isnan(data)])
    index = {v: i for i, v in enumerate(values)}
    o = np.zeros((len(values), len(values)))
    for unit in data.T:
        present = unit[~np.isnan(unit)]
        m = len(present)
        if m < 2:
            continue
        counts = np.zeros(len(values))
        for v in present:
            counts[index[v]] += 1
        o += (np.outer(counts, counts) - np.diag(counts)) / (m - 1)
    return values, o


def _delta(values: np.ndarray, n_c: np.ndarray, level: str) -> np.ndarray:
    if level == "nominal":
        return 1.0 - np.eye(len(values))
    if level == "interval":
        return np.subtract.outer(values, values) ** 2
    cum = np.cumsum(n_c)
    d = np.zeros((len(values), len(values)))
    for c in range(len(values)):
        for k in range(len(values)):
            lo, hi = min(c, k), max(c, k)
            between = cum[hi] - (cum[lo - 1] if lo > 0 else 0.0)
            d[c, k] = (between - (n_c[c] + n_c[k]) / 2.0) ** 2
    return d


def krippendorff_alpha(data: Sequence[Sequence[float]] | np.ndarray, level: str = "interval") -> float:
    """Krippendorff's alpha of a raters × units matrix (``nan`` = missing).

    Raises:
        ValueError: unknown level, or not a 2-d matrix.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    matrix = np.asarray(data, dtype=float)
    if matrix.ndim != 2:
        raise ValueError("reliability data must be a raters × units matrix")
    values, o = _coincidences(matrix)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1 or len(values) < 2:
        return float("nan")
    delta = _delta(values, n_c, level)
    observed = (o * delta).sum()
    expected = (np.outer(n_c, n_c) * delta).sum()
    if expected == 0:
        return float("nan")
    return float(1.0 - (n - 1) * observed / expected)


def cohen_kappa(a: Sequence[object], b: Sequence[object], *, labels: Sequence[object] | None = None,
                weights: str | None = None) -> float:
    """Cohen's kappa of two raters' labels on the same items.

    Raises:
        ValueError: different lengths, no items, a label outside `labels`, or unknown weights.
    """
    if len(a) != len(b) or not a:
        raise ValueError("two non-empty label sequences of equal length are needed")
    if weights not in (None, "linear", "quadratic"):
        raise ValueError(f"weights must be None, 'linear' or 'quadratic', got {weights!r}")
    order = list(labels) if labels is not None else sorted(set(a) | set(b))
    pos = {label: i for i, label in enumerate(order)}
    if any(x not in pos for x in (*a, *b)):
        raise ValueError("a label is not in `labels`")
    k = len(order)
    confusion = np.zeros((k, k))
    for x, y in zip(a, b, strict=True):
        confusion[pos[x], pos[y]] += 1
    expected = np.outer(confusion.sum(axis=1), confusion.sum(axis=0)) / confusion.sum()
    grid = np.subtract.outer(np.arange(k), np.arange(k))
    w = {None: (grid != 0).astype(float), "linear": np.abs(grid).astype(float), "quadratic": grid.astype(float) ** 2}
    denominator = (w[weights] * expected).sum()
    if denominator == 0:
        return float("nan")
    return float(1.0 - (w[weights] * confusion).sum() / denominator)


def rating_matrix(ratings: Sequence[tuple[str, str, float]]) -> tuple[list[str], list[str], np.ndarray]:
    """(annotator, unit, score) triples → annotators, units, raters × units matrix with ``nan`` gaps."""
    raters = sorted({r for r, _, _ in ratings})
    units = sorted({u for _, u, _ in ratings})
    matrix = np.full((len(raters), len(units)), np.nan)
    ri = {r: i for i, r in enumerate(raters)}
    ui = {u: i for i, u in enumerate(units)}
    for rater, unit, score in ratings:
        matrix[ri[rater], ui[unit]] = score
    return raters, units, matrix


def agreement_report(ratings: Sequence[tuple[str, str, float]], scale: Sequence[int] = (1, 2, 3, 4)) -> dict:
    """Alpha (ordinal, interval) over all raters and linear-weighted kappa per pair of raters."""
    raters, units, matrix = rating_matrix(ratings)
    report: dict[str, object] = {"raters": len(raters), "units": len(units),
                                 "units_with_2_ratings": int((np.sum(~np.isnan(matrix), axis=0) >= 2).sum())}
    report["krippendorff_alpha_ordinal"] = krippendorff_alpha(matrix, "ordinal") if len(raters) > 1 else None
    report["krippendorff_alpha_interval"] = krippendorff_alpha(matrix, "interval") if len(raters) > 1 else None
    pairs = {}
    for i in range(len(raters)):
        for j in range(i + 1, len(raters)):
            both = ~np.isnan(matrix[i]) & ~np.isnan(matrix[j])
            if both.sum() >= 2:
                a, b = matrix[i, both].astype(int).tolist(), matrix[j, both].astype(int).tolist()
                pairs[f"{raters[i]} vs {raters[j]}"] = {
                    "items": int(both.sum()), "kappa": cohen_kappa(a, b, labels=list(scale)),
                    "kappa_linear": cohen_kappa(a, b, labels=list(scale), weights="linear"),
                }
    report["cohen_kappa_pairs"] = pairs
    return report
