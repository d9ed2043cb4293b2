"""The three 1-D signal helpers the voice stage needs, in numpy.

They replace ``scipy.ndimage.uniform_filter1d`` / ``median_filter`` and
``scipy.signal.find_peaks`` on the default path because importing those scipy modules
costs ~2 s on this project's machines (scipy ≥ 1.15 parses every ``scipy.signal`` docstring
at import, and ``find_peaks`` pulls in ``scipy.stats``) — more than the whole voice stage.
Each is checked against scipy's own function in the tests (same results, same edge modes).
"""

from __future__ import annotations

import numpy as np


def moving_average(x: np.ndarray, size: int) -> np.ndarray:
    """Centred running mean over `size` samples (odd), edges padded with the end values.

    Equals ``scipy.ndimage.uniform_filter1d(x, size, mode="nearest")`` for odd `size`.
    """
    if size < 1 or size % 2 == 0:
        raise ValueError(f"size must be a positive odd number, got {size}")
    x = np.asarray(x, dtype=np.float64)
    if size == 1 or len(x) == 0:
        return x.copy()
    half = size // 2
    padded = np.pad(x, half, mode="edge")
    sums = np.cumsum(np.concatenate([[0.0], padded]))
    return (sums[size:] - sums[:-size]) / size


def median3(x: np.ndarray) -> np.ndarray:
    """Running median over 3 samples, edges padded with the end values.

    Equals ``scipy.ndimage.median_filter(x, size=3, mode="nearest")``.
    """
    x = np.asarray(x)
    if len(x) < 2:
        return x.copy()
    padded = np.pad(x, 1, mode="edge")
    return np.median(np.stack([padded[:-2], padded[1:-1], padded[2:]]), axis=0).astype(x.dtype)


def _local_maxima(x: np.ndarray) -> np.ndarray:
    """Indices of local maxima; a flat top is one peak at its middle (left of centre when even)."""
    peaks = []
    i, n = 1, len(x)
    while i < n - 1:
        if x[i - 1] < x[i]:
            ahead = i + 1
            while ahead < n - 1 and x[ahead] == x[i]:
                ahead += 1
            if x[ahead] < x[i]:
                peaks.append((i + ahead - 1) // 2)
                i = ahead
        i += 1
    return np.array(peaks, dtype=np.intp)


def _keep_distant(x: np.ndarray, peaks: np.ndarray, distance: int) -> np.ndarray:
    """Drop peaks closer than `distance` to a higher one (higher peaks first; ties in numpy's sort order)."""
    keep = np.ones(len(peaks), dtype=bool)
    order = np.argsort(x[peaks])[::-1]  # the default sort, as scipy's, so equal heights resolve alike
    for i in order:
        if not keep[i]:
            continue
        j = i - 1
        while j >= 0 and peaks[i] - peaks[j] < distance:
            keep[j] = False
            j -= 1
        j = i + 1
        while j < len(peaks) and peaks[j] - peaks[i] < distance:
            keep[j] = False
            j += 1
    return peaks[keep]


def prominences(x: np.ndarray, peaks: np.ndarray) -> np.ndarray:
    """Topographic prominence of each peak (no window limit), as ``scipy.signal.peak_prominences``."""
    out = np.empty(len(peaks))
    for k, p in enumerate(peaks):
        left_min = right_min = x[p]
        i = p
        while i >= 0 and x[i] <= x[p]:
            left_min = min(left_min, x[i])
            i -= 1
        i = p
        while i < len(x) and x[i] <= x[p]:
            right_min = min(right_min, x[i])
            i += 1
        out[k] = x[p] - max(left_min, right_min)
    return out


def find_peaks(x: np.ndarray, *, prominence: float = 0.0, distance: int = 1) -> np.ndarray:
    """Peaks of `x` at least `distance` samples apart with at least `prominence`.

    Equals ``scipy.signal.find_peaks(x, prominence=prominence, distance=distance)[0]``: local
    maxima (flat tops at their middle), then the distance rule, then the prominence rule.
    """
    x = np.asarray(x, dtype=np.float64)
    peaks = _local_maxima(x)
    if distance > 1 and len(peaks) > 1:
        peaks = _keep_distant(x, peaks, distance)
    if prominence > 0 and len(peaks):
        peaks = peaks[prominences(x, peaks) >= prominence]
    return peaks
