"""Publication (公表): the web report, the PDF report and the open data, written from the
committee's tables into one folder that appears whole or not at all."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from pipeline.model import Plan
from pipeline.publish.content import Edition, published
from pipeline.report.tables import Table

OPENDATA = "opendata"


class PublishError(ValueError):
    """The output folder cannot be used (the text is for the user)."""


def write_publication(
    plan: Plan, year: int, run_at: datetime, tables: Sequence[Table], out: Path
) -> list[Path]:
    """Write everything into a temporary folder beside `out`, then put it in place of `out`, so
    that readers never see a half-written publication. `out` may be missing, empty, or an
    earlier publication; anything else is refused rather than replaced."""
    from pipeline.publish.html import write_site
    from pipeline.publish.opendata import write_opendata
    from pipeline.publish.pdf import write_pdf

    _check_replaceable(out)
    edition = Edition(plan, year, run_at, published(tables, plan))
    out.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    building.chmod(0o777 & ~umask)  # a web folder others may read, not mkdtemp's 0700
    try:
        written = write_site(edition, building)
        written.append(write_pdf(edition, building / edition.pdf_name))
        written += write_opendata(edition, building / OPENDATA)
        _swap(building, out)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return [out / path.relative_to(building) for path in written]


def _check_replaceable(out: Path) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise PublishError(f"出力先 {out} はフォルダではありません。")
    if any(out.iterdir()) and not (out / "index.html").exists():
        raise PublishError(
            f"出力先 {out} には公表用以外のファイルがあります。"
            "空のフォルダか、以前の publish の出力先を指定してください（中身は置き換えられます）。"
        )


def _swap(building: Path, out: Path) -> None:
    """The new folder takes the place of the old, which is removed once the new one is in place."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        try:
            os.replace(out, old)
        except OSError as error:
            raise PublishError(
                f"出力先 {out} を置き換えられません（開いているファイルを閉じてください）: {error}"
            ) from None
    os.replace(building, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
