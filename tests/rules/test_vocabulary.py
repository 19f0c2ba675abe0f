"""One vocabulary: every code a check raises is in the catalogue under that check, and the README's table says the same."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from rules import RULES, rule_name
from rules.vocabulary import DEFECTS, SEVERITY_TITLES, Status

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("parsers", "rules", "storage", "notifier", "ingest", "web")


def _codes_each_check_raises() -> dict[str, set[str]]:
    """Per check function, the catalogue codes written in it or in the module's helpers it calls."""
    found: dict[str, set[str]] = {}
    for source in {Path(rule.__code__.co_filename) for rule in RULES}:
        functions = {f.name: f for f in ast.parse(source.read_text("utf-8")).body if isinstance(f, ast.FunctionDef)}

        def raised(name: str, seen: set[str]) -> set[str]:
            if name in seen:
                return set()
            seen.add(name)
            nodes = list(ast.walk(functions[name]))
            codes = {n.value for n in nodes if isinstance(n, ast.Constant) and n.value in DEFECTS}
            called = {n.func.id for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
            return codes.union(*(raised(c, seen) for c in called if c in functions))

        found |= {name.removeprefix("check_"): raised(name, set()) for name in functions if name.startswith("check_")}
    return found


def test_each_check_raises_exactly_the_codes_the_catalogue_gives_it():
    raised = _codes_each_check_raises()
    for rule in RULES:
        name = rule_name(rule)
        listed = {code for code, kind in DEFECTS.items() if name in kind.checks}
        assert raised[name] == listed, name


def test_every_check_the_catalogue_names_is_a_check():
    names = {rule_name(r) for r in RULES}
    assert {check for kind in DEFECTS.values() for check in kind.checks} <= names


def test_every_defect_built_anywhere_uses_a_catalogue_code():
    pattern = re.compile(r'(?:code=|Defect\(\s*)"([A-Z_]{4,})"')
    built = set()
    for package in SHIPPED:
        for source in (ROOT / package).rglob("*.py"):
            built |= set(pattern.findall(source.read_text("utf-8")))
    assert "COORDINATOR_REJECTED" in built and built <= set(DEFECTS)


def _readme_rows() -> list[list[str]]:
    text = (ROOT / "README.md").read_text("utf-8")
    table = text.split("### 问题代码", 1)[1].split("\n\n", 2)[2].split("\n\n", 1)[0]
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in table.splitlines()]
    return rows[2:]  # after the header and its rule


def test_the_readmes_defect_table_lists_every_code_once_with_its_title_and_level():
    seen: list[str] = []
    for codes, titles, level, when, _not_when in _readme_rows():
        codes, titles = codes.split(" / "), titles.split(" / ")
        assert titles == [DEFECTS[c].title for c in codes], codes
        assert {SEVERITY_TITLES[DEFECTS[c].severity] for c in codes} == {level}, codes
        assert when, codes
        seen += codes
    assert sorted(seen) == sorted(DEFECTS)


def test_every_status_and_defect_has_chinese_words():
    chinese = re.compile(r"[\u4e00-\u9fff]")
    assert all(chinese.search(s.title) for s in Status)
    assert all(chinese.search(k.title) for k in DEFECTS.values())
    assert len({s.title for s in Status}) == len(Status)
