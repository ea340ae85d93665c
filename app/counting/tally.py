"""Count a pabulib file from the command line: read, count, time both, report as JSON or a table."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .explain import Language, format_number, json_number, render_text
from .leftover import LEFTOVER_POLICIES, check_policy, policy_from_pabulib
from .model import Election, Points
from .pabulib import parse_number, read_pabulib
from .rules import RULES, Outcome, UnknownRuleError, count

NO_LEFTOVER = "none"
"""``leftover`` value of :func:`run_tally` that skips the leftover step whatever the file says."""
LEFTOVER_CHOICES = (*LEFTOVER_POLICIES, NO_LEFTOVER)


@dataclass(frozen=True)
class TallyRun:
    """One counted file: the election read, the outcome, where the rule and the leftover step came from,
    warnings the reader of the result must see, and the timings."""

    file: str
    election: Election
    outcome: Outcome
    rule_source: Literal["argument", "file"]
    read_seconds: float
    count_seconds: float
    leftover_source: Literal["argument", "file", "none"] = "none"
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """:meth:`Outcome.to_dict` plus ``file``, ``rule_source``, ``election``, ``projects`` and ``seconds``."""
        election = self.election
        result = self.outcome.to_dict()
        result["file"] = self.file
        result["rule_source"] = self.rule_source
        result["leftover_source"] = self.leftover_source
        result["warnings"] = list(self.warnings)
        result["election"] = {
            "budget": json_number(election.budget),
            "vote_type": election.vote_type,
            "num_projects": len(election.projects),
            "num_voters": election.num_voters,
            "description": election.meta.get("description", ""),
            "currency": election.meta.get("currency", ""),
            "notes": list(election.notes),
        }
        result["projects"] = {
            pid: {"name": p.name, "cost": json_number(p.cost)} for pid, p in election.projects.items()
        }
        result["seconds"] = {"read": round(self.read_seconds, 6), "count": round(self.count_seconds, 6)}
        return result


def run_tally(
    path: str | os.PathLike[str],
    rule: str | None = None,
    min_score: Points | str | None = None,
    tie_break: str | None = None,
    lot_order: Sequence[str] | None = None,
    leftover: str | None = None,
) -> TallyRun:
    """Read a ``.pb`` file and count it.

    ``rule``: one of :data:`~app.counting.rules.RULES`; ``None`` means the file's own META ``rule``, which
    must then be one of them, otherwise :class:`~app.counting.rules.UnknownRuleError` (its message lists the
    rules).  ``tie_break``: ``None`` means the file's META ``tie_break`` (wijkbudget's election records carry
    it), else ``default``.  ``lot_order``: ``None`` means the file's META ``tie_break_lot`` (comma-separated
    project ids) when the tie-break is ``default``, so a published round recounts exactly as it was counted.
    ``min_score`` may be text (``"100"``) or an exact number.  ``leftover``: a policy of
    :mod:`app.counting.leftover`, ``"none"`` for no leftover step, or ``None`` for the file's META
    ``leftover_budget`` (applied after the count, caps included); a text that is not one we know leaves the
    step out with a warning in :attr:`TallyRun.warnings`.  Raises :class:`~app.counting.pabulib.PabulibError`
    for a broken file and ``ValueError`` for a bad minimum score or leftover policy.
    """
    started = time.perf_counter()
    election = read_pabulib(path)
    read_seconds = time.perf_counter() - started

    source: Literal["argument", "file"] = "argument"
    if rule is None:
        source = "file"
        rule = election.meta.get("rule", "").strip()
        if rule not in RULES:
            raise UnknownRuleError(
                f"the file's META rule is {rule!r}, which is not a rule this counter implements; "
                f"choose one of: {', '.join(RULES)}"
            )
    threshold: Points | None
    if isinstance(min_score, str):
        try:
            threshold = parse_number(min_score)
        except ValueError:
            raise ValueError(f"minimum score {min_score!r} is not a number") from None
    else:
        threshold = min_score

    if tie_break is None:
        tie_break = election.meta.get("tie_break", "").strip() or "default"
    if lot_order is None and tie_break == "default":
        lot_order = split_ids(election.meta.get("tie_break_lot", "")) or None

    policy, leftover_source, warnings = _leftover_policy(election, leftover)
    started = time.perf_counter()
    outcome = count(
        election, rule, tie_break=tie_break, lot_order=lot_order, min_score=threshold, leftover=policy
    )
    count_seconds = time.perf_counter() - started
    return TallyRun(
        os.path.basename(os.fspath(path)),
        election,
        outcome,
        source,
        read_seconds,
        count_seconds,
        leftover_source,
        warnings,
    )


def _leftover_policy(
    election: Election, leftover: str | None
) -> tuple[str | None, Literal["argument", "file", "none"], tuple[str, ...]]:
    """The leftover policy to apply, where it came from, and a warning when the file's text is unknown."""
    if leftover == NO_LEFTOVER:
        return None, "none", ()
    if leftover is not None:
        return check_policy(leftover), "argument", ()
    text = election.meta.get("leftover_budget", "").strip()
    if not text or text.lower() == "none":
        return None, "none", ()
    policy = policy_from_pabulib(text)
    if policy is None:
        warning = (
            f"META leftover_budget {text!r} is not a leftover rule this counter knows, so NO leftover step "
            f"was applied and the money left over is shown as unspent; choose one with --leftover "
            f"({', '.join(LEFTOVER_POLICIES)})"
        )
        return None, "none", (warning,)
    return policy, "file", ()


def split_ids(text: str) -> list[str]:
    """A comma-separated list of project ids ("3, 1,2") as ids, blanks dropped."""
    return [item.strip() for item in text.split(",") if item.strip()]


def tally_file(
    path: str | os.PathLike[str],
    rule: str | None = None,
    min_score: Points | str | None = None,
    tie_break: str | None = None,
    lot_order: Sequence[str] | None = None,
    leftover: str | None = None,
) -> dict[str, object]:
    """:func:`run_tally` as a JSON-ready dict (see :meth:`TallyRun.to_dict`).

    Keys include ``selected`` (ids as strings, in selection order), ``rule``, ``tie_break``, ``total_cost``,
    ``explanations`` and ``seconds`` (``{"read": ..., "count": ...}``).
    """
    return run_tally(path, rule, min_score, tie_break, lot_order, leftover).to_dict()


def render_table(run: TallyRun, lang: Language = "en", name_width: int = 40) -> str:
    """A readable plain-text report of a counted file: header, one row per project, totals, notes, times.

    Selected projects come first in selection order (those the leftover step added last among them), then a
    partly funded project, then the others in the file's project order.  Warnings come first and last.
    """
    election, outcome = run.election, run.outcome
    description = election.meta.get("description", "")
    currency = election.meta.get("currency", "")
    warnings = [f"WARNING: {warning}" for warning in run.warnings]
    lines = [
        *warnings,
        f"{run.file}: {description}" if description else run.file,
        f"rule: {outcome.rule} ({'from the file' if run.rule_source == 'file' else 'chosen'})",
        f"tie-break: {outcome.tie_break.mode}: {outcome.tie_break.description}",
        f"budget: {format_number(outcome.budget)} {currency}".rstrip(),
        f"voters: {outcome.num_voters}, projects: {len(election.projects)}, vote type: {election.vote_type}",
    ]
    if outcome.min_score is not None:
        lines.append(f"minimum score: {format_number(outcome.min_score)}")
    if outcome.leftover is not None:
        where = "from the file" if run.leftover_source == "file" else "chosen"
        lines.append(f"leftover step: {outcome.leftover.policy} ({where})")
    lines.append("")
    lines.extend(_table_rows(run, lang, name_width))
    lines.append("")
    lines.extend(_totals(outcome))
    if outcome.ties:
        shown = "; ".join(", ".join(group) for group in outcome.ties[:5])
        more = f" (and {len(outcome.ties) - 5} more groups)" if len(outcome.ties) > 5 else ""
        lines.append(f"ties broken by the tie-break order: {shown}{more}")
    lines.extend(f"note: {note}" for note in (*election.notes, *outcome.notes))
    lines.extend(warnings)
    lines.append(f"time: read {run.read_seconds:.3f} s, count {run.count_seconds:.3f} s")
    return "\n".join(lines)


def _table_rows(run: TallyRun, lang: Language, name_width: int) -> list[str]:
    election, outcome = run.election, run.outcome
    selected = outcome.selected
    rank = {pid: str(i + 1) for i, pid in enumerate(selected)}
    partial = outcome.partial
    if partial is not None:
        rank[partial.project_id] = "part"
    order = list(rank) + [pid for pid in election.projects if pid not in rank]
    rows: list[list[str]] = []
    for pid in order:
        project = election.projects[pid]
        name = project.name if len(project.name) <= name_width else project.name[: name_width - 1] + "\u2026"
        rows.append(
            [
                rank.get(pid, "-"),
                pid,
                name,
                format_number(project.cost),
                format_number(outcome.scores[pid]),
                render_text(outcome.explanations[pid], lang),
            ]
        )
    headers = ["#", "project", "name", "cost", "score", "why"]
    widths = [max(len(headers[i]), *(len(row[i]) for row in rows)) for i in range(5)]
    right = {0, 3, 4}  # numbers are right-aligned

    def line(cells: list[str]) -> str:
        padded = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=False))
        ]
        return "  ".join(padded + [cells[5]])

    return [line(headers), *(line(row) for row in rows)]


def _totals(outcome: Outcome) -> list[str]:
    lines = [
        f"selected {len(outcome.selected)} projects costing {format_number(outcome.total_cost)} "
        f"of {format_number(outcome.budget)}; {format_number(outcome.budget_left)} left"
    ]
    step = outcome.leftover
    if step is None:
        return lines
    if step.added:
        lines.append(
            f"leftover step: {format_number(step.before)} was left after the rule; it funded "
            f"{len(step.added)} more project(s): {', '.join(step.added)}"
        )
    if step.partial is not None:
        lines.append(
            f"leftover step: {format_number(step.before)} was left after the rule; project "
            f"{step.partial.project_id} gets {format_number(step.partial.amount)} of its "
            f"{format_number(step.partial.cost)}"
        )
    if not step.added and step.partial is None:
        lines.append(f"leftover step ({step.policy}): no project was added")
    return lines


__all__ = [
    "LEFTOVER_CHOICES",
    "NO_LEFTOVER",
    "TallyRun",
    "UnknownRuleError",
    "render_table",
    "run_tally",
    "split_ids",
    "tally_file",
]
