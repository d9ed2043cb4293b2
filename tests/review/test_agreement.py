"""Krippendorff's alpha and Cohen's kappa against reference implementations."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.review.agreement import agreement_report, cohen_kappa, krippendorff_alpha


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_alpha_matches_the_krippendorff_package(level: str) -> None:
    krippendorff = pytest.importorskip("krippendorff", reason="reference package (dev dependency) not installed")
    rng = np.random.default_rng(7)
    for _ in range(25):
        data = rng.integers(1, 5, (int(rng.integers(2, 6)), int(rng.integers(3, 25)))).astype(float)
        data[rng.random(data.shape) < 0.3] = np.nan
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
        assert krippendorff_alpha(data, level) == pytest.approx(expected, abs=1e-9, nan_ok=True)


def test_alpha_on_krippendorffs_worked_example() -> None:
    # Krippendorff (2011), the 4 coders x 12 units example; published alpha (nominal) = 0.743
    n = np.nan
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n], [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
            [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n], [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n]]
    assert krippendorff_alpha(data, "nominal") == pytest.approx(0.743, abs=1e-3)
    assert krippendorff_alpha(data, "interval") == pytest.approx(0.849, abs=1e-3)


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_kappa_matches_scikit_learn(weights: str | None) -> None:
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(3)
    for _ in range(25):
        n = int(rng.integers(5, 40))
        a = rng.integers(1, 5, n).tolist()
        b = [x if rng.random() < 0.6 else int(rng.integers(1, 5)) for x in a]
        expected = cohen_kappa_score(a, b, labels=[1, 2, 3, 4], weights=weights)
        assert cohen_kappa(a, b, labels=[1, 2, 3, 4], weights=weights) == pytest.approx(expected, abs=1e-12)


def test_edge_cases() -> None:
    assert np.isnan(krippendorff_alpha([[2, 2, 2], [2, 2, 2]]))  # no variation
    with pytest.raises(ValueError):
        krippendorff_alpha([[1, 2]], "ratio")
    with pytest.raises(ValueError):
        cohen_kappa([1, 2], [1])
    report = agreement_report([("a", "c1", 4), ("b", "c1", 4), ("a", "c2", 1), ("b", "c2", 2), ("a", "c3", 3)])
    assert report["raters"] == 2 and report["units_with_2_ratings"] == 2
    assert report["cohen_kappa_pairs"]["a vs b"]["items"] == 2
