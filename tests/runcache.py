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
    """The pipeline's files (its bundled plan too) but the workbook writer, and the tests'."""
    digest = hashlib.sha256(salt.encode())
    package, tests = Path(pipeline.__file__).resolve().parent, Path(__file__).resolve().parent
    for path in sorted([*package.rglob("*"), *tests.glob("*.py")]):
        if path.is_file() and path != _WRITER and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(path.parents[1])).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _final(written: Path) -> Path:
    """Where a workbook written into an output folder's work folder (.NAME.new.PID) ends."""
    work = written.parent
    return work.parent / work.name[1:].rsplit(".", 2)[0] / written.name


def cached(folder: Path, salt: str, make: Callable[[Path], Path | None]) -> Path | None:
    """`make(folder)`, or its kept outputs with the workbooks written again; the path `make`
    returns (one inside `folder`), or None."""
    root = os.environ.get("SHINCHOKU_RUN_CACHE")
    if not root:
        return make(folder)
    kept = Path(root) / _key(salt)
    if (kept / "calls.pickle").exists():
        shutil.copytree(kept / "tree", folder, dirs_exist_ok=True)
        calls, made = pickle.loads((kept / "calls.pickle").read_bytes())
        for relative, report, tables, run_at in calls:
            final = folder / relative
            final.unlink()
            workbook.write_run_workbook(final.parent, report, tables, run_at)
        return None if made is None else folder / made
    calls: list[tuple[Any, ...]] = []
    real = workbook.write_run_workbook

    def recording(out: Path, report: Any, tables: Any, run_at: Any) -> Path:
        path = real(out, report, tables, run_at)
        calls.append((path, report, tables, run_at))
        return path

    workbook.write_run_workbook = recording  # type: ignore[assignment]
    try:
        made = make(folder)
    finally:
        workbook.write_run_workbook = real  # type: ignore[assignment]
    finals = [(_final(p), r, t, a) for p, r, t, a in calls]
    if not all(final.exists() for final, *_ in finals):
        return made  # not a layout this cache knows: nothing kept
    new = kept.with_name(f"{kept.name}.{os.getpid()}")
    shutil.copytree(folder, new / "tree", symlinks=True)
    kept_calls = [(f.relative_to(folder), r, t, a) for f, r, t, a in finals]
    relative = None if made is None else made.relative_to(folder)
    (new / "calls.pickle").write_bytes(pickle.dumps((kept_calls, relative)))
    try:
        new.rename(kept)
    except OSError:  # another session kept the same run first
        shutil.rmtree(new, ignore_errors=True)
    return made
