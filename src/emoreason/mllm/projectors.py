"""Projectors from a stream's features into the language model's embedding space.

``linear`` (Emotion-LLaMA's per-encoder linear maps), ``mlp`` (LLaVA-1.5's two layers with
GELU) and ``resampler`` (a small query-based cross-attention block, Q-Former/Perceiver style:
a fixed number of learned queries read any number of time steps). Linear and MLP projectors
average-pool the time axis down to ``max_tokens`` first.
"""

from __future__ import annotations

from typing import Any


def build_projector(kind: str, in_dim: int, out_dim: int, *, max_tokens: int = 16, num_queries: int = 8) -> Any:
    """A ``torch.nn.Module`` mapping ``(tokens, in_dim)`` → ``(n, out_dim)``."""
    import torch
    from torch import nn

    class PooledProjector(nn.Module):
        """Pool time to `max_tokens`, then a linear map or a two-layer MLP."""

        def __init__(self) -> None:
            super().__init__()
            self.norm = nn.LayerNorm(in_dim)
            if kind == "linear":
                self.net: nn.Module = nn.Linear(in_dim, out_dim)
            else:
                self.net = nn.Sequential(nn.Linear(in_dim, out_dim), nn.GELU(), nn.Linear(out_dim, out_dim))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            if x.shape[0] > max_tokens:
                x = nn.functional.adaptive_avg_pool1d(x.t().unsqueeze(0), max_tokens)[0].t()
            return self.net(self.norm(x))

    class Resampler(nn.Module):
        """`num_queries` learned queries cross-attend to the projected time steps."""

        def __init__(self) -> None:
            super().__init__()
            heads = next(h for h in (8, 4, 2, 1) if out_dim % h == 0)
            self.inp = nn.Sequential(nn.LayerNorm(in_dim), nn.Linear(in_dim, out_dim))
            self.queries = nn.Parameter(torch.randn(num_queries, out_dim) * 0.02)
            self.attn = nn.MultiheadAttention(out_dim, heads, batch_first=True)
            self.ffn = nn.Sequential(nn.LayerNorm(out_dim), nn.Linear(out_dim, 2 * out_dim), nn.GELU(),
                                     nn.Linear(2 * out_dim, out_dim))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            keys = self.inp(x).unsqueeze(0)
            out, _ = self.attn(self.queries.unsqueeze(0), keys, keys, need_weights=False)
            out = out[0] + self.queries
            return out + self.ffn(out)

    if kind in ("linear", "mlp"):
        return PooledProjector()
    if kind == "resampler":
        return Resampler()
    raise ValueError(f"unknown projector {kind!r}; choose linear, mlp or resampler")
