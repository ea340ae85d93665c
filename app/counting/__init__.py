"""Pure counting for participatory budgeting (GitHub issue 3, "Counting that cities can trust").

Standard library only: no Flask, database, Celery or other ``app`` package is imported here, so the same code
counts a round in the web app, in a Celery job and on the command line, and can be audited on its own.

Typical use by the web app::

    from app.counting import Ballot, Election, Project, count

    election = Election.build(
        budget=50_000_00,  # cents
        projects=[Project("12", 12_500_00, name="Bankjes"), ...],
        ballots=[Ballot(("12", "17")), ...],
        vote_type="approval",
    )
    outcome = count(election, "greedy", tie_break="default", lot_order=drawn_order)
    outcome.selected, outcome.explanations["17"].code, outcome.to_dict()

Money is exact (``int`` cents or ``Fraction``); no decision depends on float rounding.
"""

from .ballots import BallotProblem, BallotRules, validate
from .explain import Explanation, render_text
from .model import Ballot, Election, ElectionError, Money, Points, Project
from .pabulib import PabulibError, dumps_pabulib, parse_pabulib, read_pabulib, write_pabulib
from .rules import MES_RULES, RULE_DESCRIPTIONS, RULES, Outcome, UnknownRuleError, count, is_rule
from .tiebreak import TIE_BREAKS, TieBreakError, TieBreakRecord, draw_lot_order

__all__ = [
    "MES_RULES",
    "RULES",
    "RULE_DESCRIPTIONS",
    "TIE_BREAKS",
    "Ballot",
    "BallotProblem",
    "BallotRules",
    "Election",
    "ElectionError",
    "Explanation",
    "Money",
    "Outcome",
    "PabulibError",
    "Points",
    "Project",
    "TieBreakError",
    "TieBreakRecord",
    "UnknownRuleError",
    "count",
    "draw_lot_order",
    "dumps_pabulib",
    "is_rule",
    "parse_pabulib",
    "read_pabulib",
    "render_text",
    "validate",
    "write_pabulib",
]
