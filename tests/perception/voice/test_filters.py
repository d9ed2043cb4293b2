"""The numpy voice filters equal scipy's functions they replace (scipy is the reference here)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import median_filter, uniform_filter1d
from scipy.signal import find_peaks as scipy_find_peaks

from emoreason.perception.voice.filters import find_peaks, median3, moving_average


def _signals() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    out = [rng.normal(size=n) for n in (1, 2, 3, 10, 257)]
    out.append(np.round(rng.normal(size=400) * 3) / 3)  # many flat tops and ties
    out.append(np.repeat(rng.normal(size=60), rng.integers(1, 5, size=60)))  # plateaus of several widths
    out.append(np.cumsum(rng.normal(size=500)))  # a random walk: broad and narrow peaks
    out.append(np.zeros(20))
    return out


@pytest.mark.parametrize("size", [1, 3, 15])
def test_moving_average_is_uniform_filter1d(size: int) -> None:
    for x in _signals():
        assert np.allclose(moving_average(x, size), uniform_filter1d(x, size=size, mode="nearest"), atol=1e-9)


def test_median3_is_median_filter() -> None:
    for x in _signals():
        assert np.array_equal(median3(x), median_filter(x, size=3, mode="nearest"))


@pytest.mark.parametrize(("prominence", "distance"), [(0.0, 1), (0.5, 1), (2.0, 8), (0.0, 5), (1.0, 3)])
def test_find_peaks_is_scipy_find_peaks(prominence: float, distance: int) -> None:
    for x in _signals():
        kwargs = {"distance": distance, **({"prominence": prominence} if prominence else {})}
        expected = scipy_find_peaks(x, **kwargs)[0]
        assert np.array_equal(find_peaks(x, prominence=prominence, distance=distance), expected), (len(x), kwargs)


def test_moving_average_refuses_even_sizes() -> None:
    with pytest.raises(ValueError, match="odd"):
        moving_average(np.zeros(5), 4)
