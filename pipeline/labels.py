"""Every Japanese word a user sees: sheet names, column headers, fixed choices.

Code uses the English names; this module is the one glossary.
"""

from __future__ import annotations

from typing import Final

# --- plan master -------------------------------------------------------------------------------
MASTER_PLAN_SHEET: Final = "計画"
MASTER_TREE_SHEET: Final = "体系"
MASTER_PROJECT_SHEET: Final = "事業"
MASTER_TARGET_SHEET: Final = "指標"
MASTER_SCHEDULE_SHEET: Final = "予定"  # optional: the schedule word of each project per year

PLAN_ITEM: Final = "項目"
PLAN_VALUE: Final = "値"
PLAN_ID: Final = "計画ID"
PLAN_NAME: Final = "計画名"
PLAN_START: Final = "開始年度"
PLAN_END: Final = "終了年度"
PLAN_LEVELS: Final = "階層"
PLAN_GRADES: Final = "評価区分"
PLAN_FLOORS: Final = "評価目安"
PLAN_RATE_CAP: Final = "達成率上限"
PLAN_NOTE: Final = "注記"
PLAN_UNIT: Final = "評価単位"  # what one grade is given to: a target (指標) or a project (事業)
PLAN_ACTORS: Final = "取組主体"
PLAN_SCHEDULE_WORDS: Final = "予定区分"
UNIT_TARGET: Final = "指標"
UNIT_PROJECT: Final = "事業"
UNITS: Final = (UNIT_TARGET, UNIT_PROJECT)
DEFAULT_SCHEDULE_WORDS: Final = ("検討", "実施")
MARK_LEAD: Final = "◎"  # 中心となる主体
MARK_PARTNER: Final = "○"  # 参加・協力する主体
MARKS: Final = (MARK_LEAD, MARK_PARTNER)

TREE_CODE: Final = "コード"
TREE_NAME: Final = "名称"
TREE_PARENT: Final = "上位コード"
TREE_LEVEL: Final = "階層"

PROJECT_CATEGORY: Final = "区分"
PROJECT_NODE: Final = "施策コード"
PROJECT_DEPARTMENT: Final = "担当課"
PROJECT_RELISTED_FROM: Final = "再掲元"
PROJECT_DESCRIPTION: Final = "事業内容"
PROJECT_RELATED: Final = "関係課"

# --- department workbook (進捗状況シート) -------------------------------------------------------
PROGRESS_SHEET: Final = "進捗状況"
META_SHEET: Final = "_meta"
NUMBER: Final = "整理番号"
PROJECT_NAME: Final = "事業名"
TARGET_NAME: Final = "指標名"
UNIT: Final = "単位"
DIRECTION: Final = "方向"
BASELINE: Final = "基準値"
TARGET: Final = "目標値"
ACTUAL: Final = "実績値"
RATE: Final = "達成率"
GRADE: Final = "自己評価"
WORK_DONE: Final = "取組内容・実績"
ISSUES: Final = "課題"
OUTLOOK: Final = "今後の方向性"
WRITER: Final = "記入者"
CONTACT: Final = "連絡先（内線）"
PREV_ACTUAL: Final = "前年度実績値"
PREV_RATE: Final = "前年度達成率"
SCHEDULE: Final = "今年度の予定"  # locked, plans graded per project
PARTNERS: Final = "協働の相手"  # editable free text, plans graded per project: who took part
TARGETS_SHOWN: Final = "指標（参考）"  # plans graded per project: the targets, shown not graded

LOCKED_COLUMNS: Final = (NUMBER, PROJECT_NAME, TARGET_NAME, UNIT, DIRECTION, BASELINE, TARGET)
EDITABLE_COLUMNS: Final = (ACTUAL, GRADE, WORK_DONE, ISSUES, OUTLOOK)
TEMPLATE_COLUMNS: Final = (
    *LOCKED_COLUMNS[:5],
    BASELINE,
    TARGET,
    ACTUAL,
    RATE,
    GRADE,
    WORK_DONE,
    ISSUES,
    OUTLOOK,
)

DIRECTION_UP: Final = "増加"
DIRECTION_DOWN: Final = "減少"
DIRECTION_QUALITATIVE: Final = "定性"
DIRECTIONS: Final = (DIRECTION_UP, DIRECTION_DOWN, DIRECTION_QUALITATIVE)

# plans graded per project (評価単位 事業): the actors' columns (named by the master) come
# after SCHEDULE; no target columns
PROJECT_LOCKED_COLUMNS: Final = (NUMBER, PROJECT_NAME, SCHEDULE)
PROJECT_EDITABLE_COLUMNS: Final = (GRADE, WORK_DONE, ISSUES, OUTLOOK, PARTNERS)

OUTLOOK_CHOICES: Final = ("拡充", "継続", "改善・見直し", "縮小", "廃止・終了", "完了")

META_PLAN_ID: Final = "計画ID"
META_YEAR: Final = "年度"
META_DEPARTMENT: Final = "担当課"
META_VERSION: Final = "テンプレート版"
META_FINGERPRINT: Final = "指紋"
META_LABELS: Final = (META_PLAN_ID, META_YEAR, META_DEPARTMENT, META_VERSION, META_FINGERPRINT)

# --- committee workbook and CSV ----------------------------------------------------------------
SUMMARY_SHEET: Final = "概要"
TREND_SHEET: Final = "推移"
YEAR: Final = "年度"
ERA_YEAR: Final = "和暦"
MASTER_VERSION: Final = "計画マスタ版"
LISTING_SHEET: Final = "事業一覧"
STATUS_SHEET: Final = "提出状況"
FINDINGS_SHEET: Final = "検証結果"
FEEDBACK_SHEET: Final = "指摘事項"

TOTAL: Final = "全体"
SCOPE: Final = "区分"
CODE: Final = "コード"
TARGETS_SET: Final = "設定目標数"
PROJECTS_WITH_TARGETS: Final = "目標設定事業数"
PROJECTS_EVALUATED: Final = "評価対象事業数"  # plans graded per project
CATEGORY_BREAKDOWN: Final = "区分別"
SCHEDULE_BREAKDOWN: Final = "予定別"
ACTOR_BREAKDOWN: Final = "取組主体別"
SCHEDULE_WORD: Final = "予定"
ACTOR: Final = "取組主体"
ROLE: Final = "役割"
NO_CATEGORY: Final = "（なし）"
NO_SCHEDULE_WORD: Final = "（指定なし）"  # a project the 予定 sheet does not list: every year
SHARE_SUFFIX: Final = "割合"
UNGRADED: Final = "未評価"
AVERAGE_RATE: Final = "平均達成率"
AVERAGE_COUNT: Final = "平均対象数"
FLOOR_GUIDE: Final = "評価目安"
NOTE: Final = "注記"
RELISTED_MARK: Final = "【再掲】"

STATUS_DEPARTMENT: Final = "担当課"
STATUS: Final = "提出"
STATUS_FILE: Final = "ファイル"
STATUS_SAVED: Final = "保存日時"
STATUS_SHA: Final = "SHA256"
STATUS_READ: Final = "読込行数"
STATUS_COUNTED: Final = "集計行数"
STATUS_REJECTED: Final = "除外行数"
STATUS_ERRORS: Final = "エラー"
STATUS_WARNINGS: Final = "警告"
SUBMITTED: Final = "提出"
NOT_SUBMITTED: Final = "未提出"
SUPERSEDED: Final = "差替え前"
OUT_OF_PLAN: Final = "対象外"

FINDING_FILE: Final = "ファイル"
FINDING_SHEET: Final = "シート"
FINDING_CELL: Final = "セル"
FINDING_RULE: Final = "規則"
FINDING_SEVERITY: Final = "重大度"
FINDING_VALUE: Final = "値"
FINDING_MESSAGE: Final = "メッセージ"

ERROR: Final = "エラー"
WARNING: Final = "警告"
INFO: Final = "情報"

# 注記 flags in 事業一覧
FLAG_RELISTED: Final = "再掲"
FLAG_NOT_SUBMITTED: Final = "未提出"
FLAG_NOT_REPORTED: Final = "未報告"
FLAG_REJECTED: Final = "除外（エラー）"
FLAG_UNGRADED: Final = "評価なし"
FLAG_WARNING: Final = "警告あり"
FLAG_GRADE_GAP: Final = "目安と2段階以上の差"
FLAG_NOT_PLANNED: Final = "今年度の予定なし"


def per_level(level_label: str) -> str:
    """Sheet and CSV name of a level's table: '分野' -> '分野別'."""
    return f"{level_label}別"
