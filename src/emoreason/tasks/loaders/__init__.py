"""Readers for the benchmark files of the field; each returns a :class:`Dataset`.

The table maps each :class:`LoaderKind` to its function as an import string, so a loader
module is imported only when used.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import MappingProxyType

from emoreason.errors import EmoreasonError
from emoreason.tasks.records import Dataset
from emoreason.tasks.spec import DatasetRef, LoaderKind


class DataLoadError(EmoreasonError):
    """A benchmark file is missing or unreadable; the message names the file."""


_P = "emoreason.tasks.loaders"
LOADERS: MappingProxyType[LoaderKind, str] = MappingProxyType({
    LoaderKind.EMER_V1: f"{_P}.tables:load_emer_v1",
    LoaderKind.EMER_V2: f"{_P}.tables:load_emer_v2",
    LoaderKind.OVMERD_OPENSET: f"{_P}.tables:load_ovmerd_openset",
    LoaderKind.MERBENCH_LABELS: f"{_P}.tables:load_merbench_labels",
    LoaderKind.MERR_FINE_GRAINED: f"{_P}.tables:load_merr_fine_grained",
    LoaderKind.ECF_TXT: f"{_P}.ecf:load_ecf_txt",
    LoaderKind.ECAC_JSON: f"{_P}.ecf:load_ecac_json",
    LoaderKind.ECEM_CHAT: f"{_P}.ecem:load_ecem_chat",
    LoaderKind.EIBENCH_BASIC: f"{_P}.eibench:load_eibench_basic",
    LoaderKind.EIBENCH_COMPLEX: f"{_P}.eibench:load_eibench_complex",
})


def load_dataset(ref: DatasetRef, data_root: str | Path) -> Dataset:
    """Read the references a task names, from files under `data_root`."""
    root = Path(data_root)
    path = root / ref.path
    if not path.exists():
        raise DataLoadError(f"{path}: benchmark file not found (data root {root}); pass --data-root or set "
                            "EMOREASON_DATA_ROOT to the folder that holds benchmarks/")
    module_name, _, attr = LOADERS[ref.loader].partition(":")
    loader = getattr(importlib.import_module(module_name), attr)
    extra = root / ref.extra_path if ref.extra_path else None
    dataset: Dataset = loader(path, split=ref.split, extra_path=extra)
    if ref.max_samples is not None:
        dataset = dataset.model_copy(update={"samples": dataset.samples[: ref.max_samples]})
    return dataset
