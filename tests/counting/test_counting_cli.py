"""`wijkbudget tally`, driven through click's CliRunner (no database, no Flask app needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pabutools_oracle as oracle
import pytest
from click.testing import CliRunner

from app.cli.tally import tally_command
from app.counting import RULES
from app.counting.tally import tally_file

SMALL = """META
key;value
description;Speeltuin en bankjes
budget;100
vote_type;approval
rule;{rule}
currency;EUR
PROJECTS
project_id;cost;name
a;60;Nieuwe speeltuin
b;50;Bankjes
c;30;Bomen
VOTES
voter_id;vote
1;a,b
2;a
3;b,c
4;a,c
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.pb"
    path.write_text(SMALL.format(rule="greedy"), encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(tally_command, list(args))
    return result.exit_code, result.output


def test_json_output(small: Path) -> None:
    code, out = run(str(small), "--json")
    assert code == 0, out
    data = json.loads(out)
    for key in ("selected", "rule", "tie_break", "total_cost", "explanations", "seconds"):
        assert key in data
    assert data["selected"] == ["a", "c"]
    assert all(isinstance(pid, str) for pid in data["selected"])
    assert data["rule"] == "greedy" and data["rule_source"] == "file"
    assert data["total_cost"] == 90
    assert set(data["seconds"]) == {"read", "count"}
    assert data["tie_break"] == "default"
    assert {e["code"] for e in data["explanations"]} == {"selected", "did_not_fit"}


def test_rule_and_tie_break_options(small: Path) -> None:
    code, out = run(str(small), "--rule", "greedy-no-skip", "--tie-break", "lexicographic", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["rule"] == "greedy-no-skip" and data["rule_source"] == "argument"
    assert data["tie_break"] == "lexicographic"
    assert data["selected"] == ["a"]


def test_min_score_option(small: Path) -> None:
    code, out = run(str(small), "--rule", "greedy-threshold", "--min-score", "3", "--json")
    assert code == 0, out
    assert json.loads(out)["selected"] == ["a"]
    code, out = run(str(small), "--rule", "greedy-threshold", "--min-score", "many")
    assert code != 0 and "not a number" in out


def test_lot_order_option(small: Path) -> None:
    code, out = run(str(small), "--lot-order", "c,b,a", "--json")
    assert code == 0, out
    assert json.loads(out)["tie_break_detail"]["lot_order"] == ["c", "b", "a"]
    code, out = run(str(small), "--lot-order", "c,b")
    assert code != 0 and "does not name these projects: a" in out


def test_file_rule_not_implemented_lists_the_rules(tmp_path: Path) -> None:
    path = tmp_path / "unknown.pb"
    path.write_text(SMALL.format(rule="unknown"), encoding="utf-8")
    code, out = run(str(path))
    assert code != 0
    assert "'unknown'" in out
    for rule in RULES:
        assert rule in out
    code, out = run(str(path), "--rule", "greedy", "--json")
    assert code == 0, out


def test_unknown_rule_option_is_refused(small: Path) -> None:
    code, out = run(str(small), "--rule", "borda")
    assert code != 0 and "greedy-per-cost" in out


def test_table_output(small: Path) -> None:
    code, out = run(str(small))
    assert code == 0, out
    assert "rule: greedy (from the file)" in out
    assert "Nieuwe speeltuin" in out and "did not fit" in out
    assert "selected 2 projects costing 90 of 100; 10 left" in out
    code, out = run(str(small), "--lang", "nl")
    assert "paste niet" in out


def test_broken_file_message_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.pb"
    path.write_text(SMALL.format(rule="greedy").replace("3;b,c", "3;b,zz"), encoding="utf-8")
    code, out = run(str(path))
    assert code != 0
    assert "broken.pb, line 17: vote names unknown project 'zz'" in out


def test_tally_file_on_lodz_is_fast() -> None:
    file = "Poland_Lodz_2023.pb"
    if file not in oracle.DATA_FILES:
        pytest.skip("file not present")
    data = tally_file(oracle.DATA_DIR / file)
    assert data["rule"] == "greedy-threshold"
    recorded = {pid for pid, p in data["projects"].items()}  # type: ignore[union-attr]
    assert set(data["selected"]) <= recorded  # type: ignore[arg-type]
    seconds = data["seconds"]
    assert seconds["count"] < 0.5  # type: ignore[index]


def test_tie_break_and_lot_come_from_the_file_meta(tmp_path: Path) -> None:
    """Election records carry META tie_break and tie_break_lot, so a plain `tally FILE.pb` recounts exactly."""
    base = SMALL.format(rule="greedy")
    with_lot = base.replace("rule;greedy", "rule;greedy\ntie_break;default\ntie_break_lot;c,b,a")
    path = tmp_path / "lot.pb"
    path.write_text(with_lot, encoding="utf-8")
    code, out = run(str(path), "--json")
    assert code == 0, out
    detail = json.loads(out)["tie_break_detail"]
    assert detail["mode"] == "default" and detail["lot_order"] == ["c", "b", "a"]
    code, out = run(str(path), "--lot-order", "a,b,c", "--json")  # an option still wins over the file
    assert json.loads(out)["tie_break_detail"]["lot_order"] == ["a", "b", "c"]
    path.write_text(base.replace("rule;greedy", "rule;greedy\ntie_break;lexicographic"), encoding="utf-8")
    code, out = run(str(path), "--json")
    assert code == 0, out
    assert json.loads(out)["tie_break"] == "lexicographic"
