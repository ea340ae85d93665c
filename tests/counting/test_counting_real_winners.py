"""Counting a file with its own META rule reproduces the winners it records in its `selected` column.

greedy-threshold uses the file's min_project_score_threshold; category/neighbourhood caps come from the file.
Both tie-break modes must agree here: a real count that depended on how we break ties would be a red flag.
"""

from __future__ import annotations

import functools

import pabutools_oracle as oracle
import pytest

from app.counting import RULES, Election, count, read_pabulib


@functools.cache
def election(file: str) -> Election:
    return read_pabulib(oracle.DATA_DIR / file)


def files_with_winners() -> list[str]:
    out = []
    for file in oracle.DATA_FILES:
        e = election(file)
        if any("selected" in p.extra for p in e.projects.values()) and e.meta.get("rule") in RULES:
            out.append(file)
    return out


def test_there_are_files_with_recorded_winners() -> None:
    if not oracle.DATA_FILES:
        pytest.skip("no pabulib data")
    assert len(files_with_winners()) >= 5


@pytest.mark.parametrize("tie_break", ["lexicographic", "default"])
@pytest.mark.parametrize("file", files_with_winners())
def test_own_rule_reproduces_recorded_winners(file: str, tie_break: str) -> None:
    e = election(file)
    recorded = {pid for pid, p in e.projects.items() if p.extra.get("selected") == "1"}
    outcome = count(e, e.meta["rule"], tie_break=tie_break)
    assert set(outcome.selected) == recorded
    for pid in recorded:
        assert outcome.explanations[pid].code == "selected"
    if e.meta["rule"] == "greedy-threshold":
        assert outcome.min_score == e.min_project_score is not None
