"""The history store: one SQLite file that remembers every run, file, finding and figure.

Every run is written in one transaction (WAL mode, busy timeout), so a run killed midway or two
runs at once leave the store consistent. The schema is versioned with PRAGMA user_version; each
migration takes the store from one version to the next and is tested from every earlier version.
Running the same inputs again records nothing new (runs are keyed by a digest of their inputs).
Each plan and year has one official run, the one whose figures the trend and last year's columns
use; a run that counted nothing while the official one did, or whose files are mostly of another
year, is kept but not made official. Nothing is ever deleted.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from pipeline import __version__, years
from pipeline.errors import StoreError, UsageError
from pipeline.face import option
from pipeline.labels import SUBMITTED
from pipeline.model import (
    Column,
    Figures,
    FileRecord,
    PastResult,
    Recorded,
    Report,
    ResultRecord,
    RunRecord,
    SummaryRecord,
    Table,
    TrendRow,
    from_record,
)
from pipeline.report.tables import plain_number
from pipeline.text import key

# MIGRATIONS[i] takes the store from version i to version i + 1.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        plan_id TEXT NOT NULL,
        year INTEGER NOT NULL,
        run_at TEXT NOT NULL,
        master_name TEXT NOT NULL,
        master_fingerprint TEXT NOT NULL,
        tool_version TEXT NOT NULL
    );
    CREATE TABLE submissions (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        department TEXT NOT NULL,
        status TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        saved_at TEXT NOT NULL,
        rows_read INTEGER,
        rows_counted INTEGER,
        rows_rejected INTEGER
    );
    CREATE INDEX submissions_run ON submissions(run_id);
    CREATE TABLE findings (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        file TEXT, sheet TEXT, cell TEXT, number TEXT, rule TEXT, severity TEXT, value TEXT,
        message TEXT
    );
    CREATE TABLE results (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        number TEXT NOT NULL,
        target_name TEXT NOT NULL,
        unit TEXT, direction TEXT, target TEXT, actual TEXT, rate TEXT, grade TEXT,
        department TEXT,
        source_path TEXT,
        source_sha256 TEXT,
        PRIMARY KEY (run_id, number, target_name)
    );
    CREATE INDEX results_number ON results(number);
    """,
    """
    ALTER TABLE runs ADD COLUMN digest TEXT NOT NULL DEFAULT '';
    CREATE TABLE summaries (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        position INTEGER NOT NULL,
        scope TEXT NOT NULL,
        code TEXT NOT NULL,
        targets_set INTEGER NOT NULL,
        projects_with_targets INTEGER NOT NULL,
        counts TEXT NOT NULL,
        shares TEXT NOT NULL,
        ungraded INTEGER NOT NULL,
        average_rate TEXT,
        average_count INTEGER NOT NULL,
        PRIMARY KEY (run_id, position)
    );
    CREATE INDEX runs_plan_year ON runs(plan_id, year);
    """,
    # official runs: before this version the latest run of a year was the one used
    """
    ALTER TABLE runs ADD COLUMN official INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN rows_counted INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN note TEXT NOT NULL DEFAULT '';
    UPDATE runs SET rows_counted = (
        SELECT COALESCE(SUM(s.rows_counted), 0) FROM submissions s WHERE s.run_id = runs.id
    );
    UPDATE runs SET official = 1 WHERE id IN (SELECT MAX(id) FROM runs GROUP BY plan_id, year);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
TABLES = ("runs", "submissions", "findings", "results", "summaries")


class Store:
    """An open history store. Use as a context manager, or call close()."""

    def __init__(self, path: Path, timeout: float = 30.0, readonly: bool = False) -> None:
        """With `readonly`, nothing on disk changes (no folder, no migration, no WAL files): the
        store is copied into memory and brought to SCHEMA_VERSION there, so an older store (or
        an empty file) is read as it would be after its migration."""
        self.path = path
        with unusable(path):
            if readonly:
                self.db = _read_copy(path)
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
                self.db.execute("PRAGMA foreign_keys=ON")
                migrate(self.db)
            except BaseException:
                self.db.close()
                raise

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (also on leaving a `with` block)."""
        self.db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with unusable(self.path):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def official_run(self, plan_id: str, year: int) -> tuple[int, int] | None:
        """(run id, rows counted) of the year's official run, if any."""
        row = self.db.execute(
            "SELECT id, rows_counted FROM runs WHERE plan_id=? AND year=? AND official=1",
            (plan_id, year),
        ).fetchone()
        return None if row is None else (int(row[0]), int(row[1]))

    def decide(self, run: RunRecord) -> Recorded:
        """Whether `run` would be recorded, and as the official run of its year or not."""
        latest = self.db.execute(
            "SELECT id, digest, official FROM runs WHERE plan_id=? AND year=?"
            " ORDER BY id DESC LIMIT 1",
            (run.plan_id, run.year),
        ).fetchone()
        current = self.official_run(run.plan_id, run.year)
        if latest is not None and latest[1] == run.digest:
            return Recorded(int(latest[0]), False, bool(latest[2]), current[0] if current else None)
        note = ""
        if run.other_year is not None:
            note = f"提出ファイルの多くが{years.display(run.other_year)}のもの"
        elif run.rows_counted == 0 and current is not None and current[1] > 0:
            note = "集計できた行がない"
        return Recorded(None, True, not note, current[0] if current else None, note)

    def record_run(self, run: RunRecord) -> Recorded:
        """Record a run in one transaction, official unless `decide` says otherwise; nothing is
        written if its inputs equal those of the year's latest run."""
        with self._transaction() as db:
            decision = self.decide(run)
            if not decision.new:
                return decision
            if decision.official:
                db.execute(
                    "UPDATE runs SET official=0 WHERE plan_id=? AND year=?", (run.plan_id, run.year)
                )
            run_id = db.execute(
                "INSERT INTO runs (plan_id, year, run_at, master_name, master_fingerprint,"
                " tool_version, digest, official, rows_counted, note)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run.plan_id,
                    run.year,
                    run.run_at,
                    run.master_name,
                    run.master_fingerprint,
                    run.tool_version,
                    run.digest,
                    int(decision.official),
                    run.rows_counted,
                    decision.note,
                ),
            ).lastrowid
            self._insert_rows(db, run_id, run)
        return replace(decision, run_id=run_id)

    def runs(self, plan_id: str, year: int | None = None) -> list[dict[str, object]]:
        """Every run of a plan (of one year): when, files, rows counted, official or not."""
        rows = self.db.execute(
            "SELECT r.year, r.id, r.run_at, r.official,"
            " (SELECT COUNT(*) FROM submissions s WHERE s.run_id = r.id AND s.sha256 != ''),"
            " (SELECT COUNT(*) FROM submissions s WHERE s.run_id = r.id AND s.status = ?),"
            " r.rows_counted, r.master_name, r.note"
            " FROM runs r WHERE r.plan_id=? AND (? IS NULL OR r.year=?) ORDER BY r.year, r.id",
            (SUBMITTED, plan_id, year, year),
        )
        return [
            {
                "年度": y,
                "実行ID": run_id,
                "実行日時": years.local_time(at),
                "正式": "○" if official else "",
                "ファイル数": files,
                "使用ファイル数": used,
                "集計行数": counted,
                "計画マスタ": master,
                "備考": note,
            }
            for y, run_id, at, official, files, used, counted, master, note in rows
        ]

    def make_official(self, plan_id: str, year: int, run_id: int) -> None:
        """Make run `run_id` the official run of its year (the previous one is kept)."""
        with self._transaction() as db:
            found = db.execute(
                "SELECT 1 FROM runs WHERE id=? AND plan_id=? AND year=?", (run_id, plan_id, year)
            ).fetchone()
            if found is None:
                raise StoreError(
                    f"{years.display(year)}の実行 {run_id} は履歴にありません。"
                    "「shinchoku history --year」で実行IDを確認してください。"
                )
            db.execute("UPDATE runs SET official=0 WHERE plan_id=? AND year=?", (plan_id, year))
            db.execute("UPDATE runs SET official=1 WHERE id=?", (run_id,))

    def _insert_rows(self, db: sqlite3.Connection, run_id: int | None, run: RunRecord) -> None:
        db.executemany(
            "INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(run_id, *astuple_file(f)) for f in run.files],
        )
        db.executemany(
            "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(run_id, *f) for f in run.findings],
        )
        db.executemany(
            "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(run_id, *asdict(r).values()) for r in run.results],
        )
        db.executemany(
            "INSERT INTO summaries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id,
                    i,
                    s.scope,
                    s.code,
                    s.targets_set,
                    s.projects_with_targets,
                    json.dumps(s.counts, ensure_ascii=False),
                    json.dumps(s.shares),
                    s.ungraded,
                    s.average_rate,
                    s.average_count,
                )
                for i, s in enumerate(run.summary)
            ],
        )

    def _official_runs(self, plan_id: str) -> dict[int, tuple[int, str]]:
        """year -> (run id, master fingerprint) of the official run of each year on record."""
        rows = self.db.execute(
            "SELECT year, id, master_fingerprint FROM runs WHERE plan_id=? AND official=1"
            " ORDER BY id",
            (plan_id,),
        ).fetchall()
        return {year: (run_id, fp) for year, run_id, fp in rows}

    def trend(self, plan_id: str, pending: RunRecord | None = None) -> list[TrendRow]:
        """The summary rows of the official run of every year on record, oldest year first;
        `pending` (a run about to be recorded as official) stands for its year."""
        rows: list[TrendRow] = []
        official = sorted(self._official_runs(plan_id).items())
        if pending is not None:
            official = [(y, r) for y, r in official if y != pending.year]
            official.append((pending.year, (-1, pending.master_fingerprint)))
            official.sort()
        for year, (run_id, fingerprint) in official:
            if run_id == -1 and pending is not None:
                rows += [TrendRow(year, fingerprint, s) for s in pending.summary]
                continue
            for record in self.db.execute(
                "SELECT scope, code, targets_set, projects_with_targets, counts, shares, ungraded,"
                " average_rate, average_count FROM summaries WHERE run_id=? ORDER BY position",
                (run_id,),
            ):
                summary = SummaryRecord(
                    record[0],
                    record[1],
                    record[2],
                    record[3],
                    json.loads(record[4]),
                    json.loads(record[5]),
                    record[6],
                    record[7] or "",
                    record[8],
                )
                rows.append(TrendRow(year, fingerprint, summary))
        return rows

    def past_values(self, plan_id: str, year: int) -> dict[tuple[str, str], PastResult]:
        """(整理番号 key, 指標名 key) -> that year's 実績 and 達成率, from its official run."""
        latest = self._official_runs(plan_id).get(year)
        if latest is None:
            return {}
        rows = self.db.execute(
            "SELECT number, target_name, actual, rate FROM results WHERE run_id=?", (latest[0],)
        )
        return {(key(n), key(t)): PastResult(a or "", r or "") for n, t, a, r in rows}

    def history(
        self,
        plan_id: str,
        year: int | None = None,
        number: str | None = None,
        every_run: bool = False,
    ) -> list[dict[str, object]]:
        """Which file each figure came from, and when: the official run per year, or every run."""
        latest = {run_id for run_id, _ in self._official_runs(plan_id).values()}
        query = (
            "SELECT r.year, r.id, r.run_at, x.number, x.target_name, x.actual, x.rate, x.grade,"
            " x.department, x.source_path, x.source_sha256, s.saved_at FROM results x"
            " JOIN runs r ON r.id = x.run_id"
            " LEFT JOIN submissions s ON s.run_id = x.run_id AND s.path = x.source_path"
            " WHERE r.plan_id = ? ORDER BY r.year, r.id, x.rowid"
        )
        out = []
        for row in self.db.execute(query, (plan_id,)):
            record = dict(zip(HISTORY_COLUMNS, row, strict=True))
            record["実績値"] = respell(str(record["実績値"]))
            record["実行日時"] = years.local_time(str(record["実行日時"]))
            record["保存日時"] = years.local_time(str(record["保存日時"] or ""))
            if year is not None and record["年度"] != year:
                continue
            if number is not None and key(str(record["整理番号"])) != key(number):
                continue
            if every_run or record["実行ID"] in latest:
                out.append(record)
        return out

    def files(self, plan_id: str, year: int) -> list[dict[str, object]]:
        """Every file of every run of a year: the audit trail of submissions."""
        rows = self.db.execute(
            "SELECT r.id, r.run_at, s.department, s.status, s.path, s.sha256, s.saved_at"
            " FROM submissions s JOIN runs r ON r.id = s.run_id WHERE r.plan_id=? AND r.year=?"
            " ORDER BY r.id, s.rowid",
            (plan_id, year),
        )
        names = ("実行ID", "実行日時", "担当課", "提出", "ファイル", "SHA256", "保存日時")
        return [
            {
                **dict(zip(names, row, strict=True)),
                "実行日時": years.local_time(at),
                "保存日時": years.local_time(saved),
            }
            for row in rows
            for at, saved in [(row[1], row[6])]
        ]

    def export(self, out_dir: Path) -> list[Path]:
        """Every table as a CSV file for archiving and open data, written as every CSV file of
        shinchoku is (report.csvout: UTF-8 with BOM, CRLF, the injection guard); a file open
        in Excel stops with OutputError, nothing half-written."""
        from pipeline.outdir import mark_files, refuse_overwrite
        from pipeline.report.csvout import csv_path, write_csv

        refuse_overwrite(out_dir, [csv_path(table, out_dir) for table in TABLES])
        paths = []
        for table in TABLES:
            cursor = self.db.execute(f"SELECT * FROM {table} ORDER BY rowid")
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            if table == "results":  # values kept before record_value spelled as the CSV files
                values = [names.index("target"), names.index("actual")]
                rows = [_respelled(row, values) for row in rows]
            paths.append(write_csv(Table(table, tuple(map(Column, names)), rows), out_dir))
        mark_files(out_dir, paths, "export")  # a later export may replace them, nothing else
        return paths

    def integrity(self) -> list[str]:
        """What SQLite's integrity check finds wrong (nothing: an empty list)."""
        with unusable(self.path):
            found = [str(row[0]) for row in self.db.execute("PRAGMA integrity_check")]
        return [] if found == ["ok"] else found

    def only_plan(self) -> str:
        """The one plan on record, for commands that may leave out --plan."""
        plans = [row[0] for row in self.db.execute("SELECT DISTINCT plan_id FROM runs ORDER BY 1")]
        if len(plans) != 1:
            raise UsageError(
                f"--plan で計画IDを指定してください（記録: {', '.join(plans) or 'なし'}）。"
            )
        return str(plans[0])


HISTORY_COLUMNS = (
    "年度",
    "実行ID",
    "実行日時",
    "整理番号",
    "指標名",
    "実績値",
    "達成率",
    "自己評価",
    "担当課",
    "ファイル",
    "SHA256",
    "保存日時",
)


@contextmanager
def unusable(path: Path) -> Iterator[None]:
    """SQLite's and the file system's errors as a StoreError naming the file and what to do."""
    try:
        yield
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise StoreError(
                f"履歴ファイル「{path}」は別の処理が使用中です。しばらく待ってから再実行してください。"
            ) from None
        raise StoreError(_cannot_open(path, "ファイルを開けないか、作れません")) from None
    except sqlite3.DatabaseError:
        raise StoreError(
            f"履歴ファイル「{path}」は壊れているか、履歴ファイル（SQLite）ではありません。"
            f"バックアップから戻すか、{option('db')} で別のファイルを指定してください。"
        ) from None
    except OSError as error:
        raise StoreError(_cannot_open(path, error.strerror or type(error).__name__)) from None


def _cannot_open(path: Path, reason: str) -> str:
    return (
        f"履歴ファイル「{path}」を開けません（{reason}）。"
        f"フォルダの書き込み権限を確認するか、{option('db')} で別の場所を指定してください。"
    )


def _read_copy(path: Path) -> sqlite3.Connection:
    """The store at `path` copied into memory, migrated there. Opened read-only (`mode=ro`);
    while no other run has it open (no -wal file) also `immutable`, so that SQLite creates no
    -wal/-shm files beside it and a store in a read-only folder can be read."""
    if not path.is_file():
        raise FileNotFoundError(2, "ファイルがありません", str(path))
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    source = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
    memory = sqlite3.connect(":memory:", isolation_level=None)
    try:
        version = int(source.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(_newer(version))
        source.backup(memory)
        migrate(memory)
    except BaseException:
        memory.close()
        raise
    finally:
        source.close()
    return memory


def _newer(version: int) -> str:
    return (
        f"履歴ファイルの版（{version}）がこの shinchoku の版（{SCHEMA_VERSION}）より"
        "新しいため開けません。shinchoku を更新してください。"
    )


def astuple_file(record: FileRecord) -> tuple[object, ...]:
    """A FileRecord as the row of the submissions table."""
    return tuple(asdict(record).values())


def migrate(db: sqlite3.Connection) -> int:
    """Bring the store to SCHEMA_VERSION, one migration per transaction; return the version."""
    while True:
        db.execute("BEGIN IMMEDIATE")  # read the version under the lock: another run may migrate
        try:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise StoreError(_newer(version))
            if version == SCHEMA_VERSION:
                db.execute("COMMIT")
                return version
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version={version + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def record_run(path: Path, run: RunRecord) -> Recorded:
    """Open the store at `path` and record `run` (Store.record_run)."""
    with Store(path) as store:
        return store.record_run(run)


F = TypeVar("F")


def with_history(
    path: Path,
    plan_id: str,
    year: int,
    figured: Callable[[dict[tuple[str, str], PastResult]], tuple[F, RunRecord]],
    readonly: bool = False,
) -> tuple[F, RunRecord, list[TrendRow]]:
    """What a run takes from the store: last year's values go into `figured` (figures and the
    record of the run), then the trend the run shows, with it in it if it would be official."""
    with Store(path, readonly=readonly) as history:
        figures, record = figured(history.past_values(plan_id, year - 1))
        decision = history.decide(record)
        return figures, record, history.trend(plan_id, record if decision.official else None)


def run_record(
    report: Report, figures: Figures, master: Path, run_at: datetime, percent: str
) -> RunRecord:
    """What the store keeps of a run; its digest identifies the inputs (master, year, rounding
    and every file's hash)."""
    plan = report.plan
    hashes = {f.file: f.sha256 for f in report.file_rows if f.sha256}
    inputs = [plan.fingerprint, report.year, percent, sorted(hashes.items())]
    digest = hashlib.sha256(json.dumps(inputs, ensure_ascii=False).encode()).hexdigest()
    files = [
        FileRecord(
            f.department,
            f.status,
            f.file,
            f.sha256,
            years.iso_japan(f.saved_at),
            f.read,
            f.counted,
            f.rejected,
        )
        for f in report.file_rows
    ]
    findings = [f.as_row() for f in report.finding_list]
    results = [
        ResultRecord(
            row.project.number,
            row.target.name if row.target else "",
            row.target.unit if row.target else "",
            row.target.direction if row.target else "",
            record_value(row.target_value if row.target else row.schedule),
            record_value(row.actual),
            record_text(row.rate),
            row.grade or "",
            row.department,
            row.source,
            hashes.get(row.source, ""),
        )
        for row in figures.listing
        if (row.target is not None or row.schedule is not None)
        and row.source
        and not row.project.is_relisting
    ]
    summary = [
        SummaryRecord(
            r.scope,
            r.code,
            r.targets_set,
            r.projects_with_targets,
            {g.code: n for g, n in zip(plan.grades, r.counts, strict=True)},
            {g.code: record_text(s) for g, s in zip(plan.grades, r.shares, strict=True)},
            r.ungraded,
            record_text(r.average_rate),
            r.average_count,
        )
        for r in figures.summary.rows
    ]
    return RunRecord(
        plan.plan_id,
        report.year,
        years.in_japan(run_at).isoformat(),
        master.name,
        plan.fingerprint,
        __version__,
        digest,
        files,
        findings,
        results,
        summary,
        report.rows_counted,
        report.other_year,
    )


def record_value(value: object) -> str:
    """A target or result value as the CSV files spell it (529, not 529.0: a number read from a
    sheet comes as a float); rates and shares keep their one decimal (record_text)."""
    return plain_number(value) if isinstance(value, Decimal) else record_text(value)


def respell(text: str) -> str:
    """A value the store kept, spelled as record_value spells it now (stores written before
    session 11 kept `529.0` where the CSV files say `529`); a text result stays as it is."""
    value = from_record(text)
    return record_value(value) if isinstance(value, Decimal) else text


def _respelled(row: tuple[object, ...], at: list[int]) -> tuple[object, ...]:
    """`row` with the values at the positions `at` respelled."""
    cells = list(row)
    for i in at:
        cells[i] = respell(str(cells[i] or ""))
    return tuple(cells)


def record_text(value: object) -> str:
    """How a figure is kept in the store: plain decimal text ('' for none); model.from_record
    reads it back."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
