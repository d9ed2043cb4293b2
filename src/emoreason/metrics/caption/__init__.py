"""Caption metrics (BLEU-1..4, METEOR, ROUGE-L, CIDEr) equal to pycocoevalcap's values.

BLEU, ROUGE-L and CIDEr are reimplemented here and give pycocoevalcap's numbers bit for
bit on the same tokenised inputs (tested). METEOR is the METEOR 1.5 jar that ships in
the pycocoevalcap wheel, driven by our own pipelined runner. Inputs are tokenised
strings (tokens separated by single spaces); :mod:`.tokenize` provides the PTB
tokeniser that pycocoevalcap uses.
"""

from __future__ import annotations

from emoreason.metrics.caption.bleu import bleu
from emoreason.metrics.caption.cider import cider
from emoreason.metrics.caption.rouge import rouge_l

__all__ = ["bleu", "cider", "rouge_l"]
