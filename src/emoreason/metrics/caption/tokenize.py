"""Tokenisers for the caption metrics.

* :func:`ptb_tokenize` — pycocoevalcap's tokenisation: Stanford PTBTokenizer
  (CoreNLP 3.4.1 jar shipped in pycocoevalcap) with ``-preserveLines -lowerCase``,
  then the punctuation tokens pycocoevalcap removes. Identical output, one Java call.
* :func:`simple_tokenize` — a pure-Python approximation (lower-case, split words and
  punctuation, drop the same punctuation tokens). Close to, **not identical with**, PTB.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Sequence
from enum import Enum
from pathlib import Path

from emoreason.metrics.base import MetricError
from emoreason.metrics.caption.java import java_executable, pycocoevalcap_file

PUNCTUATIONS = frozenset(["''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-",
                          ".", "?", "!", ",", ":", "-", "--", "...", ";"])
_SIMPLE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|\.\.\.|--|[^\sa-z0-9]")


class Tokenizer(str, Enum):
    """Tokeniser choice for caption metrics."""

    PTB = "ptb"  # pycocoevalcap's (needs Java)
    SIMPLE = "simple"  # pure Python, approximate
    NONE = "none"  # inputs are already tokenised


def _strip_punct(line: str) -> str:
    return " ".join(w for w in line.rstrip().split(" ") if w not in PUNCTUATIONS)


def ptb_tokenize(texts: Sequence[str]) -> list[str]:
    """Tokenise like pycocoevalcap's ``PTBTokenizer`` (lower-cased, punctuation removed)."""
    if not texts:
        return []
    jar = pycocoevalcap_file("tokenizer/stanford-corenlp-3.4.1.jar")
    sentences = "\n".join(t.replace("\n", " ") for t in texts)
    with tempfile.TemporaryDirectory(prefix="emoreason-ptb-") as tmp:
        path = Path(tmp) / "sentences.txt"
        path.write_bytes(sentences.encode())
        cmd = [java_executable(), "-cp", str(jar), "edu.stanford.nlp.process.PTBTokenizer",
               "-preserveLines", "-lowerCase", str(path)]
        proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode != 0:
        raise MetricError(f"PTBTokenizer failed: {proc.stderr.decode(errors='replace')[-500:]}")
    lines = proc.stdout.decode().split("\n")
    if len(lines) < len(texts):
        raise MetricError(f"PTBTokenizer returned {len(lines)} lines for {len(texts)} sentences")
    return [_strip_punct(line) for line in lines[: len(texts)]]


def simple_tokenize(texts: Sequence[str]) -> list[str]:
    """Pure-Python approximation of :func:`ptb_tokenize`."""
    return [" ".join(t for t in _SIMPLE.findall(text.lower()) if t not in PUNCTUATIONS) for text in texts]


def tokenize(texts: Sequence[str], tokenizer: Tokenizer | str = Tokenizer.PTB) -> list[str]:
    """Tokenise `texts` with the chosen tokeniser."""
    kind = Tokenizer(tokenizer)
    if kind is Tokenizer.PTB:
        return ptb_tokenize(texts)
    if kind is Tokenizer.SIMPLE:
        return simple_tokenize(texts)
    return [" ".join(t.split()) for t in texts]
