"""The character n-gram reader against scikit-learn (its reference), and its pooling with the MLP."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.heads.char_ngrams import CharNgramClassifier, char_wb_ngrams, fit_char_ngrams
from emoreason.heads.head_file import DenseStack, HeadModel, softmax
from emoreason.heads.text_scorer import TextScorer

sklearn_text = pytest.importorskip("sklearn.feature_extraction.text", reason="scikit-learn is the reference")
from sklearn.linear_model import LogisticRegression  # noqa: E402

TEXTS = ["I can't believe you did that!", "我今天真的很开心。", "Well,   that's\tjust GREAT.", "你怎么能这样对我？",
         "a b c", "Oh my God 😭😭", "混合 mixed 文本 text", "  ", "Ügh… naïve café", "x", "哈哈哈哈哈哈 lol"]
LABELS = np.array([3, 1, 3, 3, 0, 2, 0, 0, 4, 0, 1])


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (2, 4)])
def test_ngrams_match_scikit_learn_char_wb(ngram_range: tuple[int, int]) -> None:
    analyzer = sklearn_text.TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range).build_analyzer()
    for text in TEXTS:
        assert char_wb_ngrams(text, *ngram_range) == analyzer(text), text


def test_tfidf_rows_and_probabilities_match_scikit_learn() -> None:
    vectoriser = sklearn_text.TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 2), sublinear_tf=True)
    x = vectoriser.fit_transform(TEXTS)
    model = LogisticRegression(C=4.0, max_iter=2000).fit(x, LABELS)
    reader = fit_char_ngrams(TEXTS, LABELS, 7, c=4.0, ngram_range=(1, 2), min_df=1)
    unseen = ["Just great, that's what I needed!!", "我真的不开心", "", "zzz"]
    assert reader.vocabulary == vectoriser.get_feature_names_out().tolist()
    np.testing.assert_allclose(reader.features(unseen).toarray(), vectoriser.transform(unseen).toarray(), atol=1e-12)
    ours = softmax(reader.logits(unseen))
    np.testing.assert_allclose(ours[:, model.classes_], model.predict_proba(vectoriser.transform(unseen)), atol=1e-6)
    absent = [k for k in range(7) if k not in model.classes_]
    assert ours[:, absent].max() < 1e-9  # classes never seen in training get no mass


def test_binary_reader_gives_scikit_learns_probabilities() -> None:
    labels = np.array([0, 1] * 5 + [1])
    vectoriser = sklearn_text.TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 2), sublinear_tf=True)
    model = LogisticRegression(C=1.0, max_iter=2000).fit(vectoriser.fit_transform(TEXTS), labels)
    reader = fit_char_ngrams(TEXTS, labels, 2, c=1.0, min_df=1)
    np.testing.assert_allclose(softmax(reader.logits(TEXTS[:4])), model.predict_proba(vectoriser.transform(TEXTS[:4])),
                               atol=1e-6)


def _mlp(dim: int = 4) -> HeadModel:
    rng = np.random.default_rng(0)
    stack = DenseStack([rng.normal(size=(dim, 7)).astype(np.float32)], [np.zeros(7, np.float32)])
    return HeadModel(classes=[f"c{i}" for i in range(7)], classifier=stack, encoder="hash-ngram", temperature=1.3)


def test_pooled_head_round_trips_through_the_head_file(tmp_path) -> None:
    features = np.random.default_rng(1).normal(size=(len(TEXTS), 4)).astype(np.float32)
    scorer = TextScorer(_mlp())
    alone = scorer.probabilities(TEXTS, features)
    np.testing.assert_allclose(alone, scorer.model.probabilities(features))  # no reader: the MLP alone
    reader = fit_char_ngrams(TEXTS, LABELS, 7, c=4.0, min_df=1)
    scorer.attach(reader, 0.4, 0.8)
    pooled = scorer.probabilities(TEXTS, features)
    floor = 1e-12  # log-probabilities are floored before pooling
    expected = softmax(0.6 * np.log(alone) + 0.4 * np.log(np.maximum(softmax(reader.logits(TEXTS)), floor)), 0.8)
    np.testing.assert_allclose(pooled, expected, atol=1e-9)
    assert not np.allclose(pooled, alone)
    loaded = TextScorer.from_head(HeadModel.load(scorer.model.save(tmp_path / "head.npz")))
    assert isinstance(loaded.ngram, CharNgramClassifier) and loaded.ngram_weight == pytest.approx(0.4)
    np.testing.assert_allclose(loaded.probabilities(TEXTS, features), pooled, atol=1e-5)
    with np.load(tmp_path / "head.npz", allow_pickle=False) as data:  # plain arrays only
        assert "ngram.vocabulary" in data.files


def test_texts_and_features_must_pair_up() -> None:
    with pytest.raises(ValueError, match="2 texts but 3 feature rows"):
        TextScorer(_mlp()).probabilities(["a", "b"], np.zeros((3, 4), np.float32))
