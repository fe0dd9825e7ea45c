"""The message table: one place for every rule, and docs/rules.md generated from it."""

from __future__ import annotations

import ast
from pathlib import Path

from pipeline.labels import ERROR, INFO, WARNING
from pipeline.messages import RULES, finding, rules_markdown

REPO = Path(__file__).resolve().parents[1]


def test_docs_rules_md_is_generated_from_the_table() -> None:
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown()


def test_every_rule_has_a_severity_and_a_japanese_message() -> None:
    for code, rule in RULES.items():
        assert code == rule.code and rule.severity in (ERROR, WARNING, INFO)
        assert any("\u3040" <= ch <= "\u30ff" for ch in rule.message), code


def test_every_rule_code_used_in_the_code_is_in_the_table() -> None:
    used = set()
    for path in [*(REPO / "pipeline").rglob("*.py"), *(REPO / "schemas").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if len(text) == 3 and text[0] in "MFIVCB" and text[1:].isdigit():
                    used.add(text)
    assert used <= set(RULES), used - set(RULES)


def test_missing_message_fields_render_empty_not_crash() -> None:
    made = finding("B04", file="x.xlsx")
    assert made.message.startswith("このファイルは計画の担当課（）")
    assert made.severity == ERROR
