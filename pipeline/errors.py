"""The one family of errors a user can act on: a Japanese message and an exit code.

Everything that stops a command for a reason the user can fix (a broken plan master, a store
that cannot be opened, an output file held open in Excel, a request that cannot be carried out)
is a ShinchokuError; the command line catches the family once, prints `lines()` and exits with
`exit_code`. Anything else reaching the command line is a bug.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a type only: `shinchoku --help` need not load the model
    from pipeline.model import Finding


class ShinchokuError(Exception):
    """A reason to stop that the user can act on; str(error) is the Japanese message."""

    exit_code = 2

    def lines(self) -> list[str]:
        """What the command line prints, one line each."""
        return [str(self)]


class UsageError(ShinchokuError, ValueError):
    """A request that cannot be carried out as asked (a year outside the plan, outputs among
    the submissions)."""


class OverwriteError(UsageError):
    """Files where `templates`, `demo` or `export` would write that are not as shinchoku wrote
    them (a template filled in place, the demo's master copy edited, a file of the same name
    put there): nothing was written. `paths` lists them all; the message names the first few."""

    SHOWN = 3

    def __init__(self, folder: Path, paths: Sequence[Path]) -> None:
        self.folder = folder
        self.paths = list(paths)
        names = "、".join(p.relative_to(folder).as_posix() for p in self.paths[: self.SHOWN])
        more = f" など {len(self.paths)} 件" if len(self.paths) > self.SHOWN else ""
        super().__init__(
            f"出力先 {folder} の次のファイルは shinchoku が書いたままではありません（書いた後に"
            f"変更されたか、shinchoku が書いたものではありません）: {names}{more}。記入済み・"
            "編集済みの可能性があるため、上書きせずに中止しました（何も書き込んでいません）。"
            "別のフォルダを指定するか、そのファイルを移してから実行してください。"
        )


class PlanError(ShinchokuError):
    """The master breaks the rules; `findings` says where and how."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        header = f"計画マスタに {len(findings)} 件の問題があります。"
        super().__init__("\n".join([header, *self.lines()[1:]]))  # str() names each problem

    def lines(self) -> list[str]:
        """The message, then one line per finding: file, sheet!cell, rule and message."""
        listed = []
        for f in self.findings:
            where = "!".join(x for x in (f.sheet, f.cell) if x)
            listed.append(f"  {f.file} {where} [{f.rule}] {f.message}")
        return ["計画マスタに問題があります。修正してから再実行してください。", *listed]


class StoreError(ShinchokuError):
    """The history store cannot be used (newer version, not a database, unreadable)."""


class OutputError(ShinchokuError):
    """An output file could not be written; nothing was left half-written."""

    @classmethod
    def from_os_error(
        cls, final: Path, error: OSError, unchanged: str = "ファイルは変更していません"
    ) -> OutputError:
        """The message for writing `final`: a file held open (Excel locks it) or another cause;
        `unchanged` says what was left as it was."""
        if isinstance(error, PermissionError):
            return cls(
                f"「{final}」に書き込めません。Excelなどで開いている場合は閉じてから、"
                f"もう一度実行してください（{unchanged}）。"
            )
        reason = error.strerror or type(error).__name__
        return cls(
            f"「{final}」を書き込めませんでした（{reason}）。空き容量や書き込み権限を"
            f"確認してください（{unchanged}）。"
        )

    @classmethod
    def folder_in_use(cls, out: Path, error: OSError) -> OutputError:
        """The output folder could not be replaced: a file in it is open, or the disk refused."""
        if isinstance(error, PermissionError):
            return cls(
                f"出力先フォルダ「{out}」の中のファイルが開かれているため、出力を入れ替えられません。"
                f"Excelなどで開いているファイルを閉じてから、もう一度実行してください（{UNCHANGED}）。"
            )
        return cls.from_os_error(out, error, UNCHANGED)


UNCHANGED = "出力先は前回のまま、履歴にも記録していません"
