"""Pipeline runs kept between test sessions for `make mutate` (only when SHINCHOKU_RUN_CACHE
names a folder): a workbook test's fixture runs its plan once; each later session copies the
kept outputs and writes the committee workbook again, from the kept report and tables, with the
workbook code of that session (the mutant). A workbook mutant then costs one workbook write,
not two pipeline runs. The key is every source file of the pipeline but the workbook writer,
and the fixture's own text, so nothing else can change under a kept run. Without the variable
(make test), `make` simply runs."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pipeline
from pipeline.report import workbook

_WRITER = Path(workbook.__file__).resolve()


def _key(salt: str) -> str:
    digest = hashlib.sha256(salt.encode())
    for path in sorted(Path(pipeline.__file__).resolve().parent.rglob("*.py")):
        if path != _WRITER:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _final(written: Path, folder: Path) -> Path:
    """Where a workbook written into an output folder's work folder (.NAME.new.PID) ends."""
    first, *rest = written.relative_to(folder).parts
    return folder.joinpath(first[1:].rsplit(".", 2)[0], *rest)


def cached(folder: Path, salt: str, make: Callable[[Path], None]) -> None:
    """`make(folder)`, or its kept outputs with the workbooks written again."""
    root = os.environ.get("SHINCHOKU_RUN_CACHE")
    if not root:
        make(folder)
        return
    kept = Path(root) / _key(salt)
    if (kept / "calls.pickle").exists():
        shutil.copytree(kept / "tree", folder, dirs_exist_ok=True)
        calls = pickle.loads((kept / "calls.pickle").read_bytes())
        for relative, report, tables, run_at in calls:
            final = folder / relative
            final.unlink()
            workbook.write_run_workbook(final.parent, report, tables, run_at)
        return
    calls: list[tuple[Any, ...]] = []
    real = workbook.write_run_workbook

    def recording(out: Path, report: Any, tables: Any, run_at: Any) -> Path:
        path = real(out, report, tables, run_at)
        calls.append((path, report, tables, run_at))
        return path

    workbook.write_run_workbook = recording  # type: ignore[assignment]
    try:
        make(folder)
    finally:
        workbook.write_run_workbook = real  # type: ignore[assignment]
    finals = [(_final(p, folder), r, t, a) for p, r, t, a in calls]
    if not all(final.exists() for final, *_ in finals):
        return  # not a layout this cache knows: nothing kept
    new = kept.with_name(f"{kept.name}.{os.getpid()}")
    shutil.copytree(folder, new / "tree", symlinks=True)
    kept_calls = [(f.relative_to(folder), r, t, a) for f, r, t, a in finals]
    (new / "calls.pickle").write_bytes(pickle.dumps(kept_calls))
    try:
        new.rename(kept)
    except OSError:  # another session kept the same run first
        shutil.rmtree(new, ignore_errors=True)
