"""The command line: parse options, call one library function, print a summary, exit 0/1/2."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pipeline import cli_ja, paths  # cli_ja: click's texts in Japanese before any option
from pipeline.outdir import interrupts

if TYPE_CHECKING:
    from pipeline.ahead import FilesAhead, PlanAhead
    from pipeline.model import Recorded, Report

T = TypeVar("T")


def _year(ctx: click.Context, param: click.Parameter, value: str) -> int:
    from pipeline.years import YearError, parse_fiscal_year

    try:
        return parse_fiscal_year(value)
    except YearError:
        raise click.BadParameter(
            f"年度「{value}」を読み取れません（例: 2024、令和6年度、R6）"
        ) from None


def _progress(items: Iterable[T], label: str, total: int) -> Iterator[T]:
    if not sys.stderr.isatty():  # no bar to draw: tqdm (~40 ms to import) not loaded
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, desc=label, total=total, unit="件", leave=False)


YEAR = click.option(
    "--year",
    "year",
    required=True,
    callback=_year,
    metavar="年度",
    help="年度（2024、令和6年度、R6 など）",
)
# The paths that must exist are checked by the library's own checks (pipeline/paths.py): the
# same message as `pipeline.run`'s, naming what is missing and where to look; exit 2 (a
# ShinchokuError, caught by the group).
MASTER = click.argument(
    "master",
    metavar="計画マスタ",
    type=click.Path(path_type=Path),
    callback=lambda ctx, param, value: paths.master(value),
)
SUBMISSIONS = click.argument(
    "submissions",
    metavar="提出フォルダ",
    type=click.Path(path_type=Path),
    callback=lambda ctx, param, value: paths.submissions(value),
)
OUT = click.option(
    "--out",
    "out",
    required=True,
    metavar="フォルダ",
    type=click.Path(file_okay=False, path_type=Path),
    help="出力先フォルダ",
)


PERCENT = click.option(
    "--percent",
    type=click.Choice(["half-up", "largest-remainder"]),
    default="half-up",
    show_default=True,
    help="割合の丸め方（largest-remainder: 各行の合計を100.0にする）",
)
HELP = click.help_option("-h", "--help", help="この説明を表示して終了します。")
DEFAULT_DB = Path("output") / "shinchoku.sqlite3"


def _db(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    return None if ctx.meta.get("no_db") else value


def _no_db(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    ctx.meta["no_db"] = value


DB = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    envvar="SHINCHOKU_DB",
    metavar="ファイル",
    callback=_db,
    help="履歴ファイル（SQLite）。環境変数 SHINCHOKU_DB でも指定可",
)
EXISTING_DB = click.option(
    "--db",
    type=click.Path(path_type=Path),
    callback=lambda ctx, param, value: paths.store(value),
    default=DEFAULT_DB,
    show_default=True,
    envvar="SHINCHOKU_DB",
    metavar="ファイル",
    help="履歴ファイル",
)
NO_DB = click.option(
    "--no-db",
    "no_db",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_no_db,
    help="履歴ファイルを使わない",
)


class _Main(cli_ja.Group):
    """The command group; the one place where the errors a user can act on are caught."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a ShinchokuError becomes its lines and exit code."""
        from pipeline.errors import OutputError, ShinchokuError

        try:
            try:
                return super().invoke(ctx)
            except BrokenPipeError as error:
                if not _reader_gone():
                    raise OutputError.from_os_error(Path.cwd(), error) from None
                # `… | head`: the reader left. Nothing to tell it; the status Python gives a
                # process whose output could not be flushed (as _Ending does)
                sys.exit(120)
            except OSError as error:  # the file system's refusals not met where they arise
                where = Path(error.filename) if error.filename else Path.cwd()
                raise OutputError.from_os_error(where, error) from None
        except ShinchokuError as error:
            for line in error.lines():
                click.echo(line, err=True)
            sys.exit(error.exit_code)


def _reader_gone() -> bool:
    """Whether the reader of stdout or stderr has closed its end of the pipe (poll reports an
    error on the write end); then those streams go to the null device, so that nothing more
    fails on them. Not known where poll does not exist (Windows): False."""
    import os
    import select

    gone = False
    for stream in (sys.stdout, sys.stderr):
        try:
            number = stream.fileno()
            poller = select.poll()
        except (AttributeError, OSError, ValueError):
            continue
        poller.register(number, select.POLLOUT)
        if any(events & select.POLLERR for _, events in poller.poll(0)):
            gone = True
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), number)
    return gone


@click.group(cls=_Main)
@click.version_option(package_name="shinchoku", help="バージョンを表示して終了します。")
@HELP
def main() -> None:
    """shinchoku: 計画の進行管理（進捗状況シートの配布・検証・集計）。"""


def entry() -> None:
    """Console entry point: click's usage errors explained in Japanese, exit 2.

    What a console cannot show (cp932 on Windows) is replaced, never a crash."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    from pipeline.outdir import Interrupted

    try:
        code = main(standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt) as error:
        sys.unraisablehook = lambda unraisable: None  # reported below; no destructor noise
        cause = error if isinstance(error, Interrupted) else error.__cause__
        if isinstance(cause, Interrupted) and cause.message:
            click.echo(f"\n{cause.message}", err=True)
            sys.exit(cause.exit_code)
        click.echo("\n中断しました。", err=True)
        sys.exit(cause.exit_code if isinstance(cause, Interrupted) else 130)
    except click.exceptions.NoArgsIsHelpError as error:  # `shinchoku` alone: its help, as is
        click.echo(error.format_message(), err=True)
        sys.exit(2)
    except click.UsageError as error:
        command = error.ctx.command_path if error.ctx else _typed_command(sys.argv[1:])
        text = error.format_message()
        if isinstance(error, click.MissingParameter):  # click ends "…: '--year'." in ASCII
            text = re.sub(r"\.(?=\s|$)", "。", text, count=1)
        click.echo(f"使い方が正しくありません: {text}", err=True)
        click.echo(f"「{command} --help」で使い方を表示します。", err=True)
        sys.exit(2)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


def console() -> None:
    """The `shinchoku` command (and `python -m pipeline`): entry() with the garbage collector
    set for a short process; once it is done the process ends at once, from the last exit
    function (see _Ending), its streams flushed. By then every output is written and
    committed; the interpreter's own teardown of pandas, pandera and ~160,000 objects would
    add 0.2-0.5 s to every run (measured on a city run) and change nothing."""
    import atexit
    import gc
    import os

    # numpy's OpenBLAS starts a thread per core when it is imported and gives each its buffers:
    # ~0.08 s of a city run's CPU, on its critical path. shinchoku does no linear algebra, so
    # one thread (the user's own setting is kept).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from pipeline.options import GC_THRESHOLDS

    gc.set_threshold(*GC_THRESHOLDS)  # for the whole process (why: options.GC_THRESHOLDS)
    ending = _Ending()
    atexit.register(ending)  # the first registered, so the last run (exit functions: LIFO)
    try:
        entry()
        code: object = 0
    except SystemExit as done:
        code = done.code
    ending.status = _status(code)
    sys.exit(code)  # type: ignore[arg-type]


class _Ending:
    """The last exit function of the command: once the interpreter has waited for its threads
    and run every other exit function (multiprocessing's, which ends the workers; tempfile's),
    flush stdout and stderr and end the process with the command's status, skipping only the
    teardown of the modules. Without a status (an exception escaped the command) the
    interpreter ends as usual, its traceback printed."""

    status: int | None = None

    def __call__(self) -> None:
        import os

        status = self.status
        if status is None:
            return
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a reader gone (`| head`) or a stream closed
                status = status or 120
        os._exit(status)


def _status(code: object) -> int:
    """The process status of sys.exit(code), as Python gives it (a text: 1, printed by
    Python on stderr before the exit functions run)."""
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


@contextmanager
def _ahead(master: Path, submissions: Path, year: int) -> Iterator[tuple[PlanAhead, FilesAhead]]:
    """The plan and the submissions read in children forked now, while the stages import
    (pipeline/ahead.py); the children are stopped on leaving."""
    import gc

    from pipeline.ahead import FilesAhead, PlanAhead
    from pipeline.ingest.limits import Limits

    gc.disable()  # until the stages are imported (_imported): ~0.03 s of collecting saved
    try:
        with PlanAhead(master, year) as plan, FilesAhead(submissions, Limits()) as files:
            yield plan, files
    finally:
        gc.enable()


def _imported(files: FilesAhead) -> None:
    """The stages are imported (pandas with them): what the submissions' child has read goes
    to the workers started next, and the objects made so far — modules, classes, functions,
    which live as long as the process — are left out of the cyclic collector's work for good
    (gc.freeze: its gen-0 passes over pandas' ~100,000 objects cost ~0.03 s of a city run's
    CPU; the workers forked next share those pages untouched), which starts now."""
    import gc

    files.hold()
    gc.freeze()
    gc.enable()


def _typed_command(args: list[str]) -> str:
    """'shinchoku run' when the command typed is known (an option missing its value is reported
    by click without the command's context), else 'shinchoku'."""
    name = next((a for a in args if not a.startswith("-")), "")
    return f"shinchoku {name}" if name in main.commands else "shinchoku"


@main.command()
@HELP
@MASTER
@YEAR
@OUT
@DB
@NO_DB
def templates(master: Path, year: int, out: Path, db: Path | None) -> None:
    """担当課ごとの進捗状況シートを作成する（履歴があれば前年度の実績を併記）。"""
    from pipeline.templates import make_templates

    made = make_templates(master, year, out, db)
    click.echo(f"進捗状況シートを {len(made.paths)} 件作成しました: {out}")
    for department, part in made.renamed.items():
        click.echo(f"  担当課「{department}」はファイル名では「{part}」としました（Windowsの規則）")


@main.command()
@HELP
@MASTER
@SUBMISSIONS
@YEAR
@OUT
def validate(master: Path, submissions: Path, year: int, out: Path) -> None:
    """提出ファイルを検証し、検証結果・提出状況・指摘事項を出力する。"""
    with interrupts(out), _ahead(master, submissions, year) as (plan, files):
        from pipeline.batch import validate as run_validate
        from pipeline.options import Options

        _imported(files)  # the workers start next
        report = run_validate(plan, submissions, year, out, Options(progress=_progress))
    _summary(report)
    sys.exit(report.exit_code)


@main.command()
@HELP
@MASTER
@SUBMISSIONS
@YEAR
def status(master: Path, submissions: Path, year: int) -> None:
    """提出状況（提出・未提出・要修正）を表示する。何も書き込みません。"""
    from pipeline.status import collection_status

    result = collection_status(master, submissions, year)
    _print_rows(
        [
            {
                "担当課": d.department,
                "状況": d.status,
                "ファイル": d.file,
                "保存日時": d.saved_at,
                "読込行数": d.read,
                "集計行数": d.counted,
                "除外行数": d.rejected,
                "エラー": d.errors,
                "警告": d.warnings,
            }
            for d in result.departments
        ]
    )
    for message in result.batch_errors:
        click.echo(f"エラー: {message}")
    counts = "、".join(f"{s} {result.count(s)}" for s in ("提出", "要修正", "未提出"))
    click.echo(f"担当課 {len(result.departments)} 課: {counts}")


def _aggregating(command: Any) -> Any:
    """The arguments and options `run` and `publish` share (they compute the same figures)."""
    for option in (NO_DB, DB, PERCENT, OUT, YEAR, SUBMISSIONS, MASTER, HELP):
        command = option(command)
    return main.command()(command)


def _aggregate(
    name: str, master: Path, submissions: Path, year: int, out: Path, percent: str, db: Path | None
) -> Any:
    """Call batch.run or batch.publish as the command line does: Ctrl-C in Japanese; a folder
    or plan that cannot be used is a ShinchokuError, caught by the group (exit 2)."""
    with interrupts(out), _ahead(master, submissions, year) as (plan, files):
        from pipeline import batch
        from pipeline.options import Options

        options = Options(percent=percent, progress=_progress, store=db)  # type: ignore[arg-type]
        action = getattr(batch, name)
        _imported(files)  # the workers start next
        report = action(plan, submissions, year, out, options)
    _summary(report)
    return report


@_aggregating
def run(
    master: Path, submissions: Path, year: int, out: Path, percent: str, db: Path | None
) -> None:
    """検証して集計し、委員会向けの集計結果ブックとCSVを出力する（履歴に記録）。"""
    report = _aggregate("run", master, submissions, year, out, percent, db)
    sys.exit(report.exit_code)


@_aggregating
def publish(
    master: Path, submissions: Path, year: int, out: Path, percent: str, db: Path | None
) -> None:
    """公表用の出力（ウェブページ・PDF報告書・オープンデータ）を作成する（集計は run と同じ）。"""
    report = _aggregate("publish", master, submissions, year, out, percent, db)
    click.echo(f"\n公表用ページ: {out / 'index.html'}")
    sys.exit(report.exit_code)


@main.command()
@HELP
@click.option(
    "--out",
    "out",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="出力先フォルダ（既定: output/demo、--plan を指定したときは output/demo-<名前>）",
)
@click.option(
    "--plan", "name", default=None, metavar="名前", help="同梱の計画の名前（一覧は --list）"
)
@click.option("--list", "listing", is_flag=True, help="同梱の計画を一行に一つ表示して終了")
def demo(out: Path | None, name: str | None, listing: bool) -> None:
    """同梱の計画マスタとサンプル提出ファイルで一連の処理を実行する。"""
    from pipeline.demo import DEFAULT_PLAN, bundled_plans, demo_master, run_demo

    if listing:
        for bundled, plan in bundled_plans():
            click.echo(f"{bundled}\t{plan.name}（{plan.start_year}〜{plan.end_year}年度）")
        return
    chosen = name or DEFAULT_PLAN
    out = out or Path("output/demo" if chosen == DEFAULT_PLAN else f"output/demo-{chosen}")
    report, workbook = run_demo(out, progress=_progress, name=chosen)
    click.echo(f"計画マスタ（見本）: {demo_master(out, chosen)}")
    click.echo(f"配布した様式: {out / 'テンプレート'}")
    click.echo(f"提出されたサンプル: {out / '提出'}")
    _summary(report)
    click.echo(f"\n委員会向け集計結果ブック: {workbook}")
    click.echo("（デモには意図的な入力ミスを含むため、エラーの指摘が出ます。）")


@main.command()
@HELP
@EXISTING_DB
@click.option(
    "--plan", "plan_id", metavar="計画ID", help="計画ID（履歴に計画が一つだけなら省略可）"
)
@click.option(
    "--year",
    "year",
    metavar="年度",
    callback=lambda c, p, v: _year(c, p, v) if v else None,
    help="年度で絞り込む",
)
@click.option(
    "--official",
    "official",
    type=int,
    metavar="実行ID",
    help="指定した実行をその年度の正式な実行にする（--year が必要）",
)
@click.option("--figures", is_flag=True, help="実行の一覧ではなく、正式な実行の数値を表示")
@click.option("--project", metavar="整理番号", help="整理番号で絞り込んで数値を表示")
@click.option("--files", is_flag=True, help="各実行で受け付けたファイルの記録を表示")
@click.option(
    "--all-runs", is_flag=True, help="数値を正式な実行だけでなく、すべての実行について表示"
)
def history(
    db: Path,
    plan_id: str | None,
    year: int | None,
    official: int | None,
    figures: bool,
    project: str | None,
    files: bool,
    all_runs: bool,
) -> None:
    """履歴: 実行の一覧（正式な実行の指定）、どの数値がどのファイルから集計されたか。"""
    from pipeline import years
    from pipeline.errors import UsageError
    from pipeline.store import Store

    with Store(db) as store:
        try:
            plan_id = plan_id or store.only_plan()
        except UsageError as error:  # said as click says a missing option
            raise click.UsageError(str(error)) from None
        if official is not None:
            if year is None:
                raise click.UsageError("--official には --year が必要です。")
            store.make_official(plan_id, year, official)  # StoreError: caught by the group
            click.echo(f"実行 {official} を{years.display(year)}の正式な実行にしました。")
            rows = store.runs(plan_id, year)
        elif files:
            if year is None:
                raise click.UsageError("--files には --year が必要です。")
            rows = store.files(plan_id, year)
        elif figures or project or all_runs:
            rows = store.history(plan_id, year, project, every_run=all_runs)
        else:
            rows = store.runs(plan_id, year)
    _print_rows(rows)


@main.command()
@HELP
@EXISTING_DB
@OUT
def export(db: Path, out: Path) -> None:
    """履歴の全表をCSVに書き出す（保存・オープンデータ用）。"""
    from pipeline.store import Store

    with Store(db) as store:
        paths = store.export(out)
    click.echo("\n".join(str(p) for p in paths))


def _print_rows(rows: list[dict[str, object]]) -> None:
    if not rows:
        click.echo("記録がありません。")
        return
    click.echo("\t".join(rows[0]))
    for row in rows:
        click.echo("\t".join("" if v is None else str(v) for v in row.values()))


@main.command()
@HELP
@click.option(
    "--out",
    "out",
    default=Path("output"),
    show_default=True,
    type=click.Path(path_type=Path),
    help="書き込めるか確かめる出力先フォルダ",
)
@DB
def doctor(out: Path, db: Path | None) -> None:
    """動作環境を確認する（Python・依存パッケージ・書き込み権限・履歴ファイル）。"""
    from pipeline.doctor import diagnose, report

    checks = diagnose(out, db)
    click.echo("\n".join(report(checks)))
    sys.exit(0 if all(c.ok for c in checks) else 1)


@main.command()
@HELP
def rules() -> None:
    """検証ルールの一覧（Markdown）を表示する。"""
    from pipeline.messages import rules_markdown

    click.echo(rules_markdown(), nl=False)


@main.command("build-master", hidden=True)
@HELP
@click.argument(
    "source", metavar="CSVフォルダ", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.argument("out", metavar="出力ファイル", type=click.Path(dir_okay=False, path_type=Path))
def build_master(source: Path, out: Path) -> None:
    """CSV版の計画マスタから .xlsx を作成する（同梱マスタの保守用）。"""
    from pipeline.plan_source import build_master as build

    click.echo(build(source, out))


def _summary(report: Report) -> None:
    """What a run found and wrote, in a few lines: every figure comes from the Report."""
    from pipeline import labels as L

    others, own = report.other_files, report.own_folders
    click.echo(
        f"ファイル: Excel {report.workbooks} 件"
        f"（使用 {report.departments_used} / {report.departments_expected} 課）"
        + (f"、対象外のファイル {others} 件" if others else "")
        + (f"、shinchoku が書き出したフォルダ {own} 件（読み取らず）" if own else "")
    )
    click.echo(
        f"行: 読込 {report.rows_read} = 集計 {report.rows_counted} + 除外 {report.rows_rejected}"
        f"（エラーの行 {report.rows_with_errors}、使わなかったファイルの行 {report.rows_unused}）"
    )
    click.echo(
        f"指摘: エラー {report.count(L.ERROR)} 件、警告 {report.count(L.WARNING)} 件、"
        f"情報 {report.count(L.INFO)} 件（一覧: 検証結果.csv）"
    )
    for error in report.batch_errors:
        click.echo(f"エラー: {error.message}")
    click.echo("出力:")
    for path in report.outputs:
        click.echo(f"  {path}")
    if report.recorded is not None:
        click.echo(_recorded_text(report.recorded, report.year))


def _recorded_text(recorded: Recorded, year: int) -> str:
    from pipeline import years

    shown = years.display(year)
    if not recorded.new:
        state = "正式" if recorded.official else "正式ではない"
        return (
            f"履歴: 同じ入力の実行 {recorded.run_id}（{state}）が記録済みのため、記録していません。"
        )
    if recorded.official:
        return f"履歴: 実行 {recorded.run_id} を{shown}の正式な実行として記録しました。"
    kept = (
        f"正式な実行は {recorded.previous_official} のまま"
        if recorded.previous_official
        else "正式な実行はまだありません"
    )
    return (
        f"履歴: 実行 {recorded.run_id} を記録しましたが、正式な実行にはしていません"
        f"（理由: {recorded.note}。{kept}）。正式にするには: "
        f"shinchoku history --year {year} --official {recorded.run_id}"
    )
