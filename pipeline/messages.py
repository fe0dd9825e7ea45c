"""The one table of rules: stable code, severity, and the Japanese message a department reads.

Every finding anywhere is made by `finding()`, so a message is written once, here.
Message templates use str.format fields; `value` is always available, and `{option:year}` or
`{option:year={year}}` names an option as the reader's face spells it (face.py): `--year 2022`
on the command line, `year=2022` in the library.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pipeline.face import command_line, option
from pipeline.labels import ERROR, INFO, PROGRESS_SHEET, WARNING
from pipeline.model import Finding, RuleCode, Severity, SubmittedFile


@dataclass(frozen=True)
class Rule:
    """One rule of the table: code, severity, title, message template, example."""

    code: str
    severity: str
    title: str
    message: str
    example: str = ""


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {rule.code: rule for rule in rules}


RULES: Final[dict[str, Rule]] = _rules(
    # --- plan master (M): the secretariat's file; a broken master stops the run (exit 2)
    Rule(
        "M01",
        ERROR,
        "シートがない",
        "計画マスタにシート「{sheet_name}」がありません。シートを追加してください。",
    ),
    Rule(
        "M02",
        ERROR,
        "列がない",
        "シート「{sheet_name}」の1行目に見出し「{column}」がありません。見出しを追加してください。",
    ),
    Rule("M03", ERROR, "必須項目が空", "「{column}」が空です。値を入力してください。"),
    Rule("M04", ERROR, "値が不正", "「{column}」の値「{value}」は使えません。{hint}"),
    Rule(
        "M05",
        ERROR,
        "重複",
        "「{column}」の値「{value}」が重複しています（{other}）。一意にしてください。",
    ),
    Rule(
        "M06",
        ERROR,
        "参照先がない",
        "「{column}」の「{value}」が{target}にありません。正しいコードを入力してください。",
    ),
    Rule(
        "M07",
        ERROR,
        "年度が不正",
        "年度「{value}」を読み取れません。2024、2024年度、令和6年度、R6 のように書いてください。",
    ),
    Rule(
        "M08",
        ERROR,
        "計画を読めない",
        "計画マスタを開けません（{reason}）。Excelで開けるか確認してください。",
    ),
    Rule(
        "M09",
        ERROR,
        "取組主体にない主体",
        "列「{column}」に◎・○がありますが、「{column}」は計画シートの「取組主体」にありません。"
        "取組主体に加えるか、記号を消してください。",
    ),
    Rule(
        "M10",
        ERROR,
        "計画マスタではない",
        "このファイルは{value}で、計画マスタではありません。計画マスタ（シート 計画・体系・事業・"
        "指標 のあるブック）を指定してください。",
    ),
    # --- files (F)
    Rule(
        "F01",
        ERROR,
        "ブックとして読めない",
        "ファイルをExcelブックとして読めません（{reason}）。Excelで開いて「名前を付けて保存」（.xlsx）し直して再提出してください。",
        "壊れたファイル",
    ),
    Rule(
        "F02",
        ERROR,
        "空のファイル",
        "ファイルが空（0バイト）です。保存し直して再提出してください。",
        "0バイト",
    ),
    Rule(
        "F03",
        ERROR,
        "パスワード付き",
        "ファイルにパスワード（暗号化）が設定されています。パスワードを解除して保存し、再提出してください。",
        "暗号化された .xlsx",
    ),
    Rule(
        "F04",
        ERROR,
        "別形式",
        "ファイルの中身がExcelブックではありません（{reason}）。配布した様式に入力し、.xlsx で保存して再提出してください。",
        "CSVの拡張子を.xlsxに変更",
    ),
    Rule(
        "F05",
        ERROR,
        "上限超過",
        "ファイルが上限を超えています（{reason}）。配布した様式に入力し直して再提出してください。",
        "zip爆弾",
    ),
    Rule(
        "F06",
        ERROR,
        "シートがない",
        "シート「進捗状況」がありません。配布した様式をそのまま使って再提出してください。",
        "シート名を変更",
    ),
    Rule(
        "F07",
        ERROR,
        "計画が違う",
        "この様式は別の計画（{value}）のものです。今年度配布した様式に入力して再提出してください。",
    ),
    Rule(
        "F08",
        ERROR,
        "年度が違う",
        "この様式は{value}のものです。{expected}の様式に入力して再提出してください。",
        "前年度の様式",
    ),
    Rule(
        "F09",
        ERROR,
        "見出しがない",
        "見出し「{column}」が見つかりません。見出し行を変更せず、配布した様式のまま再提出してください。",
        "見出しを変更",
    ),
    Rule(
        "F10",
        WARNING,
        "_metaシートがない",
        "様式の管理用シート（_meta）がありません。記載内容から「{department}」の様式として読み取りました。次回は配布した様式をそのまま使ってください。",
    ),
    Rule(
        "F11",
        ERROR,
        "担当課が分からない",
        "どの担当課の様式か判別できません（_metaシートがなく、整理番号からも特定できません）。配布した様式に入力して再提出してください。",
    ),
    Rule(
        "F12",
        WARNING,
        "マクロ有効ブック",
        "マクロ有効ブック（.xlsm）です。値だけを読み取り、マクロは実行していません。次回は .xlsx で保存してください。",
    ),
    Rule(
        "F13",
        WARNING,
        "古い様式",
        "様式の版（{value}）が現在の版（{expected}）と異なります。読み取りはしましたが、次回は最新の様式を使ってください。",
    ),
    Rule(
        "F14",
        WARNING,
        "計画マスタ変更後の様式",
        "この様式の作成後に計画マスタの内容が変わっています。変わった行は個別に指摘します。",
    ),
    Rule("F15", INFO, "対象外のファイル", "Excelブックではないため読み取りませんでした。"),
    Rule(
        "F16", INFO, "一時ファイル", "Excelの一時ファイル（~$で始まる）のため読み取りませんでした。"
    ),
    Rule(
        "F17",
        WARNING,
        "旧形式(.xls)",
        "旧形式（.xls）のブックです。値は読み取りましたが数式の有無は確認できません。次回は .xlsx で保存してください。",
    ),
    Rule("F18", INFO, "列の追加", "見出し「{value}」の列は様式にない列のため読み取っていません。"),
    Rule(
        "F19",
        WARNING,
        "データ行がない",
        "データ行が1行もありません。配布した様式に入力して再提出してください。",
    ),
    Rule(
        "F20",
        ERROR,
        "読み取りの中断",
        "このファイルの読み取りを中断しました（{reason}）。ほかのファイルは読み取っています。Excelで開いて「名前を付けて保存」（.xlsx）し直して再提出してください。",
        "壊れた .xls で読み取り処理が停止",
    ),
    Rule(
        "F21",
        ERROR,
        "読み取れない保存形式",
        "このファイルは{reason}です。Excelで開き、「名前を付けて保存」で「Excel ブック（*.xlsx）」を選んで保存し、再提出してください。",
        ".xlsb・.ods で提出",
    ),
    Rule(
        "F22",
        INFO,
        "使わないシートが大きい",
        "シート「{sheet_name}」の{reason}。集計に使わないシートのため、読み取らずに進めました。",
        "メモ用シートの端に入力",
    ),
    Rule(
        "F23",
        INFO,
        "shinchokuが書き出したファイル",
        "このフォルダの {files} 件は shinchoku が書き出したまま（{value}、{at}）のファイルのため、"
        "提出ファイルとして読み取りませんでした（記入済みの様式や、後から置いたファイルは"
        "読み取っています）。",
        "前回の集計結果、未記入の様式",
    ),
    # --- integrity (I): rows that cannot be tied to the plan are not counted
    Rule(
        "I01",
        ERROR,
        "目標値などの変更",
        "ロックされた「{column}」が変更されています（様式の値: {expected}）。元の値に戻してください。",
    ),
    Rule(
        "I02",
        ERROR,
        "行の追加",
        "様式にない行です（整理番号・指標名が計画と一致しません）。行を削除するか、元の値に戻してください。",
    ),
    Rule(
        "I03",
        ERROR,
        "行の削除",
        "この指標の行（{value}）がありません。行を削除せず、配布した様式のまま入力してください。",
    ),
    Rule(
        "I04",
        ERROR,
        "行の重複",
        "同じ整理番号・指標名の行が重複しています（{other}）。重複した行を削除してください。",
    ),
    Rule(
        "I05",
        ERROR,
        "他課の行",
        "この行は「{value}」の担当事業です。自課の様式には自課の事業だけを記入してください。",
    ),
    # --- values (V)
    Rule(
        "V01",
        ERROR,
        "実績値が数値でない",
        "実績値「{value}」を数値として読み取れません。数値だけを入力してください（例: 1200）。未確定の場合は「－」と入力し、理由を取組内容に書いてください。",
        "未集計",
    ),
    Rule(
        "V02",
        WARNING,
        "数式（値あり）",
        "「{column}」が数式です。表示されている値（{value}）を使いました。数式ではなく値を入力してください。",
    ),
    Rule(
        "V03",
        ERROR,
        "数式（値なし）",
        "「{column}」が数式で、計算結果が保存されていません。数式ではなく値を入力してください。",
    ),
    Rule(
        "V04",
        ERROR,
        "エラー値",
        "セルがエラー値（{value}）です。正しい値を入力してください。",
        "#DIV/0!",
    ),
    Rule(
        "V05",
        ERROR,
        "自己評価がない",
        "評価する行（目標値がある行。事業ごとに評価する計画ではすべての行）の自己評価が空です。{grades} から選んでください。",
    ),
    Rule(
        "V06",
        ERROR,
        "自己評価が不正",
        "自己評価「{value}」は評価区分にありません。{grades} から選んでください。",
    ),
    Rule(
        "V07",
        ERROR,
        "取組内容・実績がない",
        "取組内容・実績が空です。今年度の取り組みと実績を入力してください。",
    ),
    Rule(
        "V08",
        ERROR,
        "課題がない",
        "自己評価が「{grade}」のときは課題の記入が必要です。遅れの理由と課題を入力してください。",
    ),
    Rule(
        "V09",
        ERROR,
        "今後の方向性が不正",
        "今後の方向性「{value}」は選択肢にありません。{choices} から選んでください。",
    ),
    Rule(
        "V10",
        WARNING,
        "万・千の換算",
        "実績値「{value}」を {parsed} と読み取りました。正しいか確認し、次回は数値だけを入力してください。",
        "1.2万",
    ),
    Rule(
        "V11",
        WARNING,
        "パーセント表示",
        "実績値「{value}」はパーセント表示のため {parsed}（%）と読み取りました。正しいか確認してください。",
    ),
    Rule(
        "V12", ERROR, "今後の方向性がない", "今後の方向性が空です。{choices} から選んでください。"
    ),
    Rule(
        "V13",
        WARNING,
        "文字数が上限超過",
        "「{column}」が {length:,} 文字あり、Excelの上限（32,767文字）を超えています。集計結果では末尾を省略します。短くして再提出してください。",
    ),
    Rule(
        "V14",
        ERROR,
        "実績値の桁が大きすぎる",
        "実績値「{value}」は桁が大きすぎます（1000兆以上）。単位や入力ミスを確認してください。",
        "1e400",
    ),
    Rule(
        "V15",
        WARNING,
        "記入者が空欄",
        "記入者が空欄です。問い合わせ先が分かるよう、記入者の氏名を入力してください。",
    ),
    Rule(
        "V16",
        WARNING,
        "連絡先が空欄",
        "連絡先（内線）が空欄です。問い合わせ先が分かるよう、内線番号を入力してください。",
    ),
    # --- consistency (C)
    Rule(
        "C01",
        WARNING,
        "目安との差",
        "自己評価「{value}」が達成率 {rate}% の目安「{suggested}」と2段階以上離れています。評価の理由を取組内容に書くか、評価を見直してください。",
    ),
    Rule(
        "C02",
        WARNING,
        "達成率を計算できない",
        "目標値と基準値（または実績値）から分母が0になるため達成率を計算できません。達成率は空欄とします。",
    ),
    Rule(
        "C03",
        WARNING,
        "実績値なしの評価",
        "実績値が空欄（または「－」）のまま自己評価「{value}」が付いています。実績値を入力するか、未確定の理由を取組内容に書いてください。",
    ),
    # --- batch (B)
    Rule("B01", WARNING, "未提出", "「{department}」の進捗状況シートが提出されていません。"),
    Rule(
        "B02",
        WARNING,
        "未報告の事業",
        "この事業の評価対象（{value}）はどの提出ファイルにもありません。",
    ),
    Rule(
        "B03",
        INFO,
        "差替え前",
        "同じ担当課の新しいファイル（{other}）があるため、このファイルは使っていません（{reason}）。",
    ),
    Rule(
        "B04",
        ERROR,
        "計画外のファイル",
        "このファイルは計画の担当課（{value}）と一致しません。配布した様式に入力して再提出してください。",
    ),
    # --- the secretariat's own mistakes: one finding each, nothing sent back to departments
    Rule(
        "B05",
        ERROR,
        "年度の指定違い",
        "読み取れた提出ファイル {readable} 件のうち {other} 件は{value}の様式です。{option:year} の指定"
        "（{expected}）が誤っていませんか。{value}として集計するには {option:year={year}} を"
        "指定してください。",
    ),
    Rule(
        "B06",
        ERROR,
        "提出ファイルがない",
        "提出フォルダ「{value}」に Excel ブック（.xlsx・.xlsm・.xls）が1件もありません。"
        "フォルダの指定を確認してください。",
    ),
    Rule(
        "B07",
        ERROR,
        "集計できた行がない",
        "提出ファイル {files} 件から集計できた行が1行もありません。すべての行がエラーで除外されて"
        "います。検証結果を確認してください。",
    ),
)


def finding(
    code: str,
    *,
    file: str = "",
    sheet: str = "",
    number: str = "",
    value: object = "",
    **params: object,
) -> Finding:
    """Make a Finding of rule `code` about a file or a sheet as a whole (no cell)."""
    return finding_at(
        code, file=file, sheet=sheet, row=None, letter=None, number=number, value=value, **params
    )


def finding_at(
    code: str,
    *,
    file: str = "",
    sheet: str = "",
    row: int | None = None,
    letter: str | None = None,
    number: str = "",
    value: object = "",
    **params: object,
) -> Finding:
    """Make a Finding of rule `code` at `row` (1-based) and the column of `letter`, its message
    filled in from `params` and `value` (`column` is a message field: a heading's name)."""
    rule = RULES[code]
    shown = "" if value is None else str(value)
    message = _FORMATTER.vformat(rule.message, (), _Fields(value=shown, **params))
    return Finding(
        file=file,
        sheet=sheet,
        row=row,
        column=letter or None,
        number=number,
        rule=RuleCode(code),
        severity=Severity(rule.severity),
        value=shown,
        message=message,
    )


def cell_finding(
    code: str, file: SubmittedFile, row: int, label: str, number: str, **params: object
) -> Finding:
    """A finding on a department's progress sheet: the cell of column `label` (this file's
    letter for it) in sheet row `row`, about 整理番号 `number`."""
    return finding_at(
        code,
        file=file.path,
        sheet=PROGRESS_SHEET,
        row=row,
        letter=file.column(label),
        number=number,
        **params,
    )


class _Fields(dict[str, object]):
    """A field the caller did not give shows as empty: the finding is still reported."""

    def __missing__(self, name: str) -> str:
        return ""


_OPTION = object()  # the value of the `option` field: its format spec names the option


class _Lenient(string.Formatter):
    """Fields formatted as the table asks, or as plain text when the value does not fit the
    format (a missing `{length:,}` or a text where a number was expected): never an exception.
    `{option:NAME}` and `{option:NAME=VALUE}` are an option spelt for the reader's face."""

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        """Only named fields are used; a missing one is empty (see _Fields)."""
        return _OPTION if key == "option" else kwargs[str(key)]

    def format_field(self, value: Any, format_spec: str) -> str:
        """The field in its format, or as plain text when it does not fit."""
        if value is _OPTION:
            name, _, given = format_spec.partition("=")
            return option(name, given or None)
        try:
            return str(super().format_field(value, format_spec))
        except (TypeError, ValueError):
            return str(value)


_FORMATTER = _Lenient()


_CATEGORIES = {
    "M": "計画マスタ",
    "F": "ファイル",
    "I": "様式の改変",
    "V": "入力値",
    "C": "整合性",
    "B": "提出全体",
}


_OPTION_FIELD = re.compile(r"\{option:(\w+)(?:=(\{\w+\}))?\}")


def _command_line(match: re.Match[str]) -> str:
    """`{option:year={year}}` as docs/rules.md shows it: `--year {year}`."""
    return command_line(match[1], match[2])


def rules_markdown() -> str:
    """docs/rules.md: every rule with its severity, an example and the message (the fix)."""
    lines = ["# 検証ルール一覧 (generated by `shinchoku rules`; do not edit by hand)", ""]
    lines += [
        "| 規則 | 区分 | 重大度 | 内容 | 例 | メッセージ（対応） |",
        "|---|---|---|---|---|---|",
    ]
    for rule in RULES.values():
        cells = (
            rule.code,
            _CATEGORIES[rule.code[0]],
            rule.severity,
            rule.title,
            rule.example,
            _OPTION_FIELD.sub(_command_line, rule.message).replace("|", "｜"),
        )
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "エラー: その行（ファイル単位の規則ではファイル）を集計から除外し、一覧に載せます。",
        "警告: 集計に含め、一覧に載せます。情報: 記録のみ。",
        "",
    ]
    return "\n".join(lines)
