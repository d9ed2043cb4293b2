"""``MODEL_CARD.md`` for a trained head: data (with licences and sha256), class counts,
label mappings, hyper-parameters, the evaluation table, and how to reproduce it.

Every recipe builds a :class:`ModelCard` and calls :meth:`ModelCard.write`; nothing in it is
time-stamped, so re-running a recipe on the same data writes the same card.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

#: Licences of the research data the recipes read (as far as the sources state them).
DATA_LICENCES: dict[str, str] = {
    "mer2023": "MER2023 dataset EULA — academic research use only, no redistribution (the labels and "
               "transcripts come from MERBench's processed release)",
    "meld": "MELD (Poria et al., 2019; utterances of the TV series Friends) — its GitHub release states "
            "GPL-3.0 (not re-checked offline); the underlying TV material: research use",
    "cmumosi": "CMU-MOSI (Zadeh et al., 2016) — research use (CMU Multimodal SDK terms)",
}


if TYPE_CHECKING:
    from emoreason.training.registry import TrainOptions


def train_command(recipe: str, options: TrainOptions) -> str:
    """The ``emoreason train`` command line that reproduces a run (seed, limit and ``--set`` settings)."""
    settings = " ".join(f"--set {k}={v}" for k, v in sorted(options.overrides.items()))
    limit = f" --limit {options.limit}" if options.limit else ""
    seed = f"--seed {options.seed}{limit}"
    return f"emoreason train {recipe} --data-root ../shared/data -o DIR {seed} {settings}".rstrip()


@dataclass
class ModelCard:
    """Everything a card records."""

    title: str
    summary: str
    encoder: str
    weights_file: str
    command: str
    data_files: dict[str, str] = field(default_factory=dict)  # relative path → sha256
    corpora: list[str] = field(default_factory=list)
    class_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # part → class → count
    mappings: dict[str, dict[str, str]] = field(default_factory=dict)  # corpus → its label → canonical
    hyperparameters: dict[str, object] = field(default_factory=dict)
    evaluation_markdown: str = ""
    evaluation_heading: str = "Evaluation (test splits; never used for fitting or selection)"
    selection_markdown: str = ""
    notes: list[str] = field(default_factory=list)

    def _data_section(self) -> list[str]:
        lines = ["## Data and licences", ""]
        lines += [f"- **{c}**: {DATA_LICENCES.get(c, 'see the source')}" for c in self.corpora]
        lines += ["", "Because of these licences the weights are for **research use**; the code is Apache-2.0.", "",
                  "| file | sha256 |", "|---|---|"]
        lines += [f"| `{path}` | `{digest}` |" for path, digest in sorted(self.data_files.items())]
        return lines

    def _counts_section(self) -> list[str]:
        classes = sorted({c for counts in self.class_counts.values() for c in counts})
        lines = ["## Class counts", "", "| part | " + " | ".join(classes) + " | total |",
                 "|---" * (len(classes) + 2) + "|"]
        for part, counts in self.class_counts.items():
            cells = [str(counts.get(c, 0)) for c in classes]
            lines.append(f"| {part} | " + " | ".join(cells) + f" | {sum(counts.values())} |")
        return lines

    def _mapping_section(self) -> list[str]:
        lines = ["## Label mappings (corpus label → canonical class)", ""]
        for corpus, table in self.mappings.items():
            lines.append(f"- **{corpus}**: " + ", ".join(f"{k} → {v}" for k, v in table.items()))
        return lines

    def render(self) -> str:
        """The card as markdown."""
        parts = [f"# {self.title}", "", self.summary, "",
                 f"- weights: `{self.weights_file}` (npz of plain arrays + JSON metadata; no pickle)",
                 f"- encoder: `{self.encoder}` (frozen)", "", "Reproduce:", "", "```bash", self.command, "```", ""]
        parts += self._data_section() + [""] + self._counts_section() + [""] + self._mapping_section() + [""]
        parts += ["## Hyper-parameters", "", "```json", json.dumps(self.hyperparameters, indent=2, sort_keys=True),
                  "```", ""]
        if self.selection_markdown:
            parts += ["## Selection (dev splits only)", "", self.selection_markdown, ""]
        parts += [f"## {self.evaluation_heading}", "", self.evaluation_markdown, ""]
        if self.notes:
            parts += ["## Notes and limits", ""] + [f"- {n}" for n in self.notes] + [""]
        return "\n".join(parts)

    def write(self, path: Path) -> Path:
        """Write the card to `path`."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.render(), encoding="utf-8")
        return path
