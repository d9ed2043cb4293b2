"""Evaluate a prediction set on a task: align by id, run judges, compute metrics, save results.

Missing predictions are never dropped silently: classification counts them as wrong,
label-set metrics score them as empty predictions, and every such sample is marked in the
per-sample table. With ``subset=True`` only the references that have a prediction are
scored, and the result says how many were left out (``n_left_out``). Unparsable
sentiment words score as "not positive" (AffectGPT's convention) and are counted in
``n_invalid``. Samples whose judge call failed are excluded from judged metrics and
counted in ``result.judge``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

from emoreason.errors import EmoreasonError
from emoreason.metrics.base import InputKind, MetricError, MetricOutput
from emoreason.metrics.caption.tokenize import Tokenizer, tokenize
from emoreason.metrics.emotion_wheel import EmotionWheel
from emoreason.metrics.registry import metric_spec, resolve_metric
from emoreason.tasks.judges import JudgeStatus, LLMJudge
from emoreason.tasks.judges.base import mean_verdict_score
from emoreason.tasks.records import Dataset, Prediction, PredictionSet, SampleScore, TaskResult
from emoreason.tasks.spec import JudgeKind, PredictionKind, TaskSpec

SENTIMENT_VALUES = {"positive": 1.0, "negative": -1.0, "neutral": 0.0}
_CAPTION = ("bleu_1", "bleu_2", "bleu_3", "bleu_4", "meteor", "rouge_l", "cider")


class _Aligned:
    """References and predictions in reference order."""

    def __init__(self, dataset: Dataset, preds: PredictionSet) -> None:
        by_id: dict[str, Prediction] = {p.id: p for p in preds.predictions}
        self.samples = dataset.samples
        self.preds = [by_id.get(s.id) for s in dataset.samples]
        self.rows = [SampleScore(id=s.id, status="ok" if p else "missing_prediction")
                     for s, p in zip(self.samples, self.preds, strict=True)]

    @property
    def n_missing(self) -> int:
        return sum(p is None for p in self.preds)

    def record(self, out: MetricOutput, name: str) -> MetricOutput:
        out = out.model_copy(update={"name": name})
        if len(out.per_sample) == len(self.rows):
            for row, value in zip(self.rows, out.per_sample, strict=True):
                row.scores[name] = value
        return out


def _label_metrics(spec: TaskSpec, al: _Aligned) -> list[MetricOutput]:
    truth = [s.label or "" for s in al.samples]
    guess = [(p.label or "<none>") if p else "<missing>" for p in al.preds]
    return [al.record(resolve_metric(m)(truth, guess), m) for m in spec.metrics]  # type: ignore[operator]


def _sentiment_metrics(spec: TaskSpec, al: _Aligned) -> tuple[list[MetricOutput], int]:
    values, invalid = [], 0
    for row, pred in zip(al.rows, al.preds, strict=True):
        if pred is None:
            values.append(0.0)
        elif spec.predictions is PredictionKind.VALENCE:
            values.append(float(pred.valence) if pred.valence is not None else 0.0)
        elif (pred.sentiment or "") in SENTIMENT_VALUES:
            values.append(SENTIMENT_VALUES[pred.sentiment or ""])
        else:
            values.append(0.0)
            invalid += 1
            row.status = "invalid_prediction"
    truth = [s.valence if s.valence is not None else 0.0 for s in al.samples]
    return [al.record(resolve_metric(m)(truth, values), m) for m in spec.metrics], invalid  # type: ignore[operator]


def _labels_from_judge(al: _Aligned, judge: LLMJudge) -> list[list[str] | None]:
    out: list[list[str] | None] = []
    for row, pred in zip(al.rows, al.preds, strict=True):
        if pred is None or not pred.text:
            out.append([] if pred is None else None)
            continue
        verdict = judge.judge(row.id, pred.text)  # type: ignore[attr-defined]
        if verdict.status is JudgeStatus.OK:
            out.append(verdict.labels or [])
        else:
            row.status = "judge_failed"
            out.append(None)
    return out


def _wheel_metrics(spec: TaskSpec, al: _Aligned, wheel: EmotionWheel, judge: LLMJudge | None) -> list[MetricOutput]:
    if spec.predictions is PredictionKind.TEXT:
        if judge is None:
            raise MetricError(f"task {spec.name} scores free text with emotion-wheel metrics: pass a judge "
                              "(--judge-base-url and --judge-model)")
        predicted = _labels_from_judge(al, judge)
    else:
        predicted = [(p.labels or []) if p else [] for p in al.preds]
    keep = [i for i, labels in enumerate(predicted) if labels is not None]
    outputs = []
    for name in spec.metrics:
        func = resolve_metric(name)
        if name.startswith("hit_rate"):
            refs: list[object] = [al.samples[i].label or "" for i in keep]
        else:
            refs = [al.samples[i].labels or [] for i in keep]
        level = "level2" if name.endswith("level2") else "level1"
        out = func(refs, [predicted[i] for i in keep], wheel, level=level)  # type: ignore[operator]
        full: list[float | None] = [None] * len(al.rows)
        for i, value in zip(keep, out.per_sample, strict=True):
            full[i] = value
        outputs.append(al.record(out.model_copy(update={"per_sample": full}), name))
    return outputs


def _judged_metrics(spec: TaskSpec, al: _Aligned, judge: LLMJudge) -> list[MetricOutput]:
    verdicts = []
    for row, sample, pred in zip(al.rows, al.samples, al.preds, strict=True):
        answer = pred.text if pred and pred.text else ""
        if spec.judge is JudgeKind.EIBENCH_TRIGGER_RECALL:
            verdict = judge.judge(row.id, sample.question or "", sample.text or "", answer)  # type: ignore[attr-defined]
        else:
            verdict = judge.judge(row.id, sample.text or "", answer)  # type: ignore[attr-defined]
        if verdict.status is not JudgeStatus.OK:
            row.status = "judge_failed"
        verdicts.append(verdict)
    return [al.record(mean_verdict_score(verdicts, name=name), name) for name in spec.metrics]


def _text_metrics(spec: TaskSpec, al: _Aligned, tokenizer: Tokenizer) -> list[MetricOutput]:
    refs_raw = [s.text or "" for s in al.samples]
    hyps_raw = [(p.text or "") if p else "" for p in al.preds]
    outputs: list[MetricOutput] = []
    caption = [m for m in spec.metrics if m in _CAPTION]
    if caption:
        refs, hyps = tokenize(refs_raw, tokenizer), tokenize(hyps_raw, tokenizer)
        ref_lists = [[r] for r in refs]
        bleu_cache: list[MetricOutput] = []
        for name in caption:
            if name.startswith("bleu"):
                bleu_cache = bleu_cache or resolve_metric("bleu_4")(ref_lists, hyps)  # type: ignore[assignment,operator]
                outputs.append(al.record(bleu_cache[int(name[-1]) - 1], name))
            else:
                outputs.append(al.record(resolve_metric(name)(ref_lists, hyps), name))  # type: ignore[arg-type,operator]
    if "bertscore_f1" in spec.metrics:
        outputs.append(al.record(resolve_metric("bertscore_f1")(refs_raw, hyps_raw), "bertscore_f1"))  # type: ignore[arg-type,operator]
    return outputs


def _pair_metrics(spec: TaskSpec, dataset: Dataset, preds: PredictionSet) -> tuple[list[MetricOutput], int]:
    from emoreason.metrics.ecpe import CausePair

    def flatten(conversations: list, ids: set[str]) -> list[CausePair]:
        return [CausePair(c.id, p.emotion_utterance, p.cause_utterance, p.emotion, p.start, p.end)
                for c in conversations if c.id in ids for p in c.pairs]

    gold_ids = {c.id for c in dataset.conversations}
    missing = len(gold_ids - {c.id for c in preds.conversations})
    gold, predicted = flatten(dataset.conversations, gold_ids), flatten(preds.conversations, gold_ids)
    outputs = []
    for name in spec.metrics:
        func: Callable[..., MetricOutput] = resolve_metric(name)  # type: ignore[assignment]
        outputs.append(func(gold, predicted).model_copy(update={"name": name}))
    return outputs, missing


def restrict_to_predictions(dataset: Dataset, preds: PredictionSet) -> tuple[Dataset, int]:
    """`dataset` cut down to the references that `preds` has an id for, and how many were left out.

    Raises:
        EmoreasonError: no prediction id is a reference id of the dataset.
    """
    ids = {p.id for p in preds.predictions} | {c.id for c in preds.conversations}
    samples = [s for s in dataset.samples if s.id in ids]
    conversations = [c for c in dataset.conversations if c.id in ids]
    total = len(dataset.samples) + len(dataset.conversations)
    kept = len(samples) + len(conversations)
    if total and not kept:
        raise EmoreasonError(f"{preds.source}: none of its {len(ids)} prediction ids is a reference id of "
                             f"{dataset.name} ({total} references); nothing to score")
    return dataset.model_copy(update={"samples": samples, "conversations": conversations}), total - kept


def _unknown_ids(dataset: Dataset, preds: PredictionSet) -> int:
    known = {s.id for s in dataset.samples} | {c.id for c in dataset.conversations}
    return len(({p.id for p in preds.predictions} | {c.id for c in preds.conversations}) - known)


def _scored(spec: TaskSpec, dataset: Dataset, preds: PredictionSet, wheel: EmotionWheel | None,
            judge: LLMJudge | None, tokenizer: Tokenizer | str) -> tuple[list[MetricOutput], _Aligned, int]:
    al = _Aligned(dataset, preds)
    kinds = {metric_spec(m).input_kind for m in spec.metrics}
    invalid = 0
    if kinds & {InputKind.LABEL_SET, InputKind.LABEL_VS_LABEL_SET}:
        if wheel is None:
            raise MetricError(f"task {spec.name} needs the emotion-wheel tables (wheel_path / --wheel)")
        metrics = _wheel_metrics(spec, al, wheel, judge)
    elif InputKind.JUDGE_SCORE in kinds:
        if judge is None:
            raise MetricError(f"task {spec.name} is judged: pass --judge-base-url and --judge-model")
        metrics = _judged_metrics(spec, al, judge)
    elif InputKind.VALENCE in kinds:
        metrics, invalid = _sentiment_metrics(spec, al)
    elif InputKind.TEXT in kinds:
        metrics = _text_metrics(spec, al, Tokenizer(tokenizer))
    else:
        metrics = _label_metrics(spec, al)
    return metrics, al, invalid


def evaluate(spec: TaskSpec, dataset: Dataset, preds: PredictionSet, *, wheel: EmotionWheel | None = None,
             judge: LLMJudge | None = None, tokenizer: Tokenizer | str = Tokenizer.PTB,
             subset: bool = False) -> TaskResult:
    """Score `preds` against `dataset` as `spec` says.

    Args:
        spec: The task.
        dataset: Its references.
        preds: The system's predictions.
        wheel: Emotion-wheel tables (needed by EW / HIT metrics).
        judge: The judge, for tasks that declare one.
        tokenizer: Tokeniser for caption metrics.
        subset: Score only the references that have a prediction (the others are counted
            in ``n_left_out``, not scored as wrong).

    Raises:
        EmoreasonError: with `subset`, no prediction id is a reference id.
    """
    published = {p.metric: p.value for p in spec.published}
    left_out = 0
    unknown = _unknown_ids(dataset, preds)
    if subset:
        dataset, left_out = restrict_to_predictions(dataset, preds)
    notes = [f"subset: scored the {len(dataset.samples) + len(dataset.conversations)} references that have a "
             f"prediction; {left_out} references without one were left out"] if subset else []
    if unknown:
        notes.append(f"{unknown} prediction ids are not references of this task and were ignored")
    tables = wheel.tables if wheel is not None else None
    if spec.predictions is PredictionKind.CAUSE_PAIRS:
        metrics, missing = _pair_metrics(spec, dataset, preds)
        return TaskResult(task=spec.name, predictions_source=preds.source, metrics=metrics, samples=[],
                          n_references=len(dataset.conversations), n_predictions=len(preds.conversations),
                          n_missing=missing, n_left_out=left_out, subset=subset, published=published, notes=notes)
    metrics, al, invalid = _scored(spec, dataset, preds, wheel, judge, tokenizer)
    if invalid:
        notes.append(f"{invalid} predictions were not positive/negative/neutral and count as non-positive")
    if al.n_missing:
        notes.append(f"{al.n_missing} references have no prediction")
    return TaskResult(task=spec.name, predictions_source=preds.source, metrics=metrics, samples=al.rows,
                      n_references=len(al.samples), n_predictions=len(preds.predictions), n_missing=al.n_missing,
                      n_invalid=invalid, n_left_out=left_out, subset=subset, wheel_tables=tables,
                      judge=judge.info() if judge else None, published=published, notes=notes)


def result_stem(result: TaskResult) -> str:
    """Output file stem named after the prediction file: ``<prediction file stem>-<task>``."""
    return f"{Path(result.predictions_source).stem}-{result.task}"


def result_stems(results: list[TaskResult]) -> list[str]:
    """One output stem per result; same-named prediction files get their folder name in front."""
    plain = [result_stem(r) for r in results]
    stems = []
    for result, stem in zip(results, plain, strict=True):
        if plain.count(stem) > 1:
            parent = Path(result.predictions_source).parent.name
            stem = f"{parent}-{stem}" if parent else stem
        stems.append(stem)
    seen: dict[str, int] = {}
    unique = []
    for stem in stems:
        seen[stem] = seen.get(stem, 0) + 1
        unique.append(stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return unique


def save_result(result: TaskResult, out_dir: str | Path, *, stem: str | None = None) -> tuple[Path, Path]:
    """Write ``<stem>.json`` (the whole result) and ``<stem>.csv`` (one row per sample).

    The default stem is :func:`result_stem`: ``<prediction file stem>-<task>``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = stem or result_stem(result)
    json_path, csv_path = out / f"{stem}.json", out / f"{stem}.csv"
    json_path.write_text(result.model_dump_json(indent=2) + "\n", encoding="utf-8")
    names = [m.name for m in result.metrics]
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "status", *names])
        for row in result.samples:
            writer.writerow([row.id, row.status, *("" if row.scores.get(n) is None else row.scores[n] for n in names)])
    return json_path, csv_path


def load_result(path: str | Path) -> TaskResult:
    """Read a result saved by :func:`save_result`."""
    return TaskResult.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))
