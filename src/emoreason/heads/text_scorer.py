"""The text head's two readers pooled into one answer: sentence-encoder MLP ⊗ character n-grams.

``p ∝ exp(((1 − w) · log p_mlp + w · log p_ngram) / T)`` — a weighted product of the two
readers' probabilities (``p_mlp`` already temperature-calibrated, ``p_ngram`` the logistic
regression's), re-calibrated by a temperature ``T`` fitted on the dev splits. ``w`` and ``T``
live in the head's metadata under ``ngram``; a head without an n-gram reader is the MLP alone.
Valence comes from the encoder features only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from emoreason.heads.char_ngrams import CharNgramClassifier
from emoreason.heads.head_file import HeadModel, softmax


@dataclass
class TextScorer:
    """Probabilities and valence of texts from their words and their encoder vectors."""

    model: HeadModel
    ngram: CharNgramClassifier | None = None
    ngram_weight: float = 0.0
    temperature: float = 1.0

    @classmethod
    def from_head(cls, model: HeadModel) -> TextScorer:
        """The scorer stored in a head file (n-gram reader and pooling settings when present)."""
        settings: dict[str, Any] = dict(model.metadata.get("ngram") or {})
        ngram = CharNgramClassifier.from_arrays(model.extras, settings)
        if ngram is None:
            return cls(model)
        return cls(model, ngram, float(settings.get("weight", 0.0)), float(settings.get("temperature", 1.0)))

    @property
    def classes(self) -> list[str]:
        """Output classes."""
        return self.model.classes

    @property
    def pools(self) -> bool:
        """Whether the n-gram reader takes part (a reader with a positive weight)."""
        return self.ngram is not None and self.ngram_weight > 0.0

    def pooled_logits(self, texts: list[str], features: np.ndarray) -> np.ndarray:
        """Un-tempered pooled log-probabilities, shape (n, classes)."""
        mlp = np.log(np.clip(self.model.probabilities(features), 1e-12, 1.0))
        if not self.pools or not len(texts):
            return mlp
        ngram = np.log(np.clip(softmax(self.ngram.logits(texts)), 1e-12, 1.0))  # type: ignore[union-attr]
        return (1.0 - self.ngram_weight) * mlp + self.ngram_weight * ngram

    def probabilities(self, texts: list[str], features: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities of `texts` (whose encoder rows are `features`)."""
        if len(texts) != len(features):
            raise ValueError(f"{len(texts)} texts but {len(features)} feature rows")
        return softmax(self.pooled_logits(texts, features), self.temperature if self.pools else 1.0)

    def predict_valence(self, features: np.ndarray) -> np.ndarray | None:
        """Valence per row (encoder features only); None when the head has no regressor."""
        return self.model.predict_valence(features)

    def attach(self, ngram: CharNgramClassifier, weight: float, temperature: float) -> None:
        """Store the n-gram reader and pooling settings in the head (saved with it)."""
        self.ngram, self.ngram_weight, self.temperature = ngram, float(weight), float(temperature)
        self.model.extras.update(ngram.arrays())
        self.model.metadata["ngram"] = {**ngram.settings(), "weight": self.ngram_weight,
                                        "temperature": self.temperature}
