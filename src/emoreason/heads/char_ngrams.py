"""Character n-gram TF-IDF features and a linear classifier over them, in plain numpy/scipy.

The text head pairs its sentence-encoder MLP with this second, very different reader: words
and characters as they are written (Chinese is written without spaces, so characters and
character pairs carry much of the meaning a frozen encoder blurs). Training uses
scikit-learn's ``TfidfVectorizer(analyzer="char_wb")`` + ``LogisticRegression`` (the ``train``
extra); inference needs neither — :class:`CharNgramClassifier` reproduces the vectoriser's
transform (checked against scikit-learn in the tests) and applies the stored coefficients.

Arrays in a head file (prefix ``ngram.``): ``vocabulary`` (unicode, column order), ``idf``,
``coef`` (vocabulary × classes), ``intercept``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

PREFIX = "ngram"
_WHITE_SPACES = re.compile(r"\s\s+")


def char_wb_ngrams(text: str, low: int, high: int, *, lowercase: bool = True) -> list[str]:
    """The character n-grams of `text` inside word boundaries (scikit-learn's ``char_wb`` analyzer).

    Each whitespace-separated word is padded with one space on each side; a word shorter than
    ``n`` gives itself (padded) once.
    """
    if lowercase:
        text = text.lower()
    text = _WHITE_SPACES.sub(" ", text)
    grams: list[str] = []
    for word in text.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            offset = 0
            grams.append(padded[offset:offset + n])
            while offset + n < size:
                offset += 1
                grams.append(padded[offset:offset + n])
            if offset == 0:  # the whole padded word fits in one n-gram
                break
    return grams


@dataclass
class CharNgramClassifier:
    """TF-IDF (sublinear tf, l2 rows) over character n-grams → linear logits."""

    vocabulary: list[str]
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    ngram_range: tuple[int, int] = (1, 2)
    lowercase: bool = True
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.vocabulary)
        if self.idf.shape != (n,) or self.coef.shape[0] != n or self.intercept.shape != (self.coef.shape[1],):
            raise ValueError(f"n-gram arrays do not fit: vocabulary {n}, idf {self.idf.shape}, "
                             f"coef {self.coef.shape}, intercept {self.intercept.shape}")
        self._index = {gram: i for i, gram in enumerate(self.vocabulary)}

    def features(self, texts: list[str]) -> object:
        """The TF-IDF rows of `texts` as a scipy CSR matrix (len(texts) × vocabulary)."""
        from scipy.sparse import csr_matrix

        indptr, indices, values = [0], [], []
        for text in texts:
            counts: dict[int, int] = {}
            for gram in char_wb_ngrams(text, *self.ngram_range, lowercase=self.lowercase):
                column = self._index.get(gram)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
            weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts))))
            weights *= self.idf[columns]
            norm = float(np.sqrt((weights ** 2).sum()))
            indices.append(columns)
            values.append(weights / norm if norm > 0 else weights)
            indptr.append(indptr[-1] + len(columns))
        shape = (len(texts), len(self.vocabulary))
        if not indices:
            return csr_matrix(shape, dtype=np.float64)
        return csr_matrix((np.concatenate(values), np.concatenate(indices), np.array(indptr)), shape=shape)

    def logits(self, texts: list[str]) -> np.ndarray:
        """Class logits, shape (len(texts), classes)."""
        return np.asarray(self.features(texts) @ self.coef, dtype=np.float64) + self.intercept

    def arrays(self) -> dict[str, np.ndarray]:
        """The classifier as named arrays for a head file."""
        return {f"{PREFIX}.vocabulary": np.array(self.vocabulary, dtype=np.str_),
                f"{PREFIX}.idf": self.idf.astype(np.float32), f"{PREFIX}.coef": self.coef.astype(np.float32),
                f"{PREFIX}.intercept": self.intercept.astype(np.float32)}

    def settings(self) -> dict[str, object]:
        """The analyzer settings stored in the head's metadata."""
        return {"analyzer": "char_wb", "ngram_range": list(self.ngram_range), "lowercase": self.lowercase,
                "sublinear_tf": True, "norm": "l2"}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], settings: dict[str, object]) -> CharNgramClassifier | None:
        """Read the classifier back from head-file arrays; None when the file holds none."""
        if f"{PREFIX}.coef" not in arrays:
            return None
        low, high = settings.get("ngram_range", [1, 2])  # type: ignore[misc]
        return cls(vocabulary=[str(g) for g in arrays[f"{PREFIX}.vocabulary"].tolist()],
                   idf=np.asarray(arrays[f"{PREFIX}.idf"], dtype=np.float64),
                   coef=np.asarray(arrays[f"{PREFIX}.coef"], dtype=np.float64),
                   intercept=np.asarray(arrays[f"{PREFIX}.intercept"], dtype=np.float64),
                   ngram_range=(int(low), int(high)), lowercase=bool(settings.get("lowercase", True)))


def fit_char_ngrams(texts: list[str], labels: np.ndarray, n_classes: int, *, c: float,
                    ngram_range: tuple[int, int] = (1, 2), min_df: int = 2,
                    sample_weight: np.ndarray | None = None) -> CharNgramClassifier:
    """Fit the vectoriser and a multinomial logistic regression (scikit-learn, deterministic lbfgs).

    Classes absent from `labels` get zero coefficients and a very low intercept.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, min_df=min_df, sublinear_tf=True,
                                 dtype=np.float64)
    x = vectoriser.fit_transform(texts)
    model = LogisticRegression(C=c, max_iter=3000).fit(x, labels, sample_weight=sample_weight)
    vocabulary = vectoriser.get_feature_names_out().tolist()
    coef = np.zeros((len(vocabulary), n_classes))
    intercept = np.full(n_classes, -30.0)
    if len(model.classes_) > 2:
        coef[:, model.classes_], intercept[model.classes_] = model.coef_.T, model.intercept_
    else:  # binary: softmax([0, z]) is the sigmoid scikit-learn fitted
        coef[:, model.classes_[1]], intercept[model.classes_] = model.coef_[0], [0.0, model.intercept_[0]]
    return CharNgramClassifier(vocabulary=vocabulary, idf=np.asarray(vectoriser.idf_, dtype=np.float64), coef=coef,
                               intercept=intercept, ngram_range=ngram_range)
