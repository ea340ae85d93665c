"""The pabulib reader and writer: real files, awkward-but-valid inputs, broken inputs, round trips."""

from __future__ import annotations

import functools
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

import pabutools_oracle as oracle
import pytest
from pabutools.election import parse_pabulib as pabutools_parse
from pabutools.election.pabulib import parse_pabulib_from_string

from app.counting import (
    Ballot,
    Election,
    PabulibError,
    Project,
    count,
    dumps_pabulib,
    parse_pabulib,
    read_pabulib,
)
from app.counting.pabulib import format_number, parse_number, write_pabulib

SMALL = """META
key;value
description;Test
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name
a;60;Park
b;50;Bench
c;30;Tree
VOTES
voter_id;vote
1;a,b
2;a
3;b,c
4;c
"""


@functools.cache
def election(file: str) -> Election:
    return read_pabulib(oracle.DATA_DIR / file)


def profile_multiset(e: Election) -> Counter[Any]:
    """Our ballots as a multiset of order-free (approval) or ordered/pointed keys, weights expanded."""
    out: Counter[Any] = Counter()
    for b in e.ballots:
        if e.vote_type == "ordinal":
            key: Any = tuple(b.choices)
        elif b.points is not None:
            key = frozenset(zip(b.choices, (Fraction(p) for p in b.points), strict=True))
        else:
            key = frozenset(b.choices)
        out[key] += b.weight
    return out


def pabutools_multiset(vote_type: str, profile: Any) -> Counter[Any]:
    out: Counter[Any] = Counter()
    for ballot in profile:
        if vote_type == "ordinal":
            key: Any = tuple(p.name for p in ballot)
        elif vote_type in ("cumulative", "scoring"):
            key = frozenset(
                (p.name, Fraction(int(v.numerator), int(v.denominator))) for p, v in ballot.items()
            )
        else:
            key = frozenset(p.name for p in ballot)
        out[key] += 1
    return out


def same_as_pabutools(e: Election, instance: Any, profile: Any) -> None:
    assert Fraction(e.budget) == Fraction(
        int(instance.budget_limit.numerator), int(instance.budget_limit.denominator)
    )
    theirs = {
        p.name: Fraction(int(p.cost)) if isinstance(p.cost, int) else Fraction(str(p.cost)) for p in instance
    }
    assert {pid: Fraction(p.cost) for pid, p in e.projects.items()} == theirs
    # pabutools reads an empty category cell as the category "" (and "None" as none); we read both as none.
    assert {pid: set(p.categories) for pid, p in e.projects.items()} == {
        p.name: set(p.categories) - {""} for p in instance
    }
    assert profile_multiset(e) == pabutools_multiset(e.vote_type, profile)


# --- real files ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("file", oracle.DATA_FILES)
def test_data_file_reads_like_pabutools_reads_it(file: str) -> None:
    e = election(file)
    instance, profile = oracle.parsed(file)
    assert e.num_voters == len(profile) == int(e.meta.get("num_votes", e.num_voters) or e.num_voters)
    assert len(e.projects) == len(instance)
    same_as_pabutools(e, instance, profile)


@pytest.mark.parametrize("file", oracle.DATA_FILES)
def test_keep_voters_reads_the_same_election(file: str) -> None:
    grouped = election(file)
    one_by_one = read_pabulib(oracle.DATA_DIR / file, keep_voters=True)
    assert all(b.weight == 1 and b.voter_id for b in one_by_one.ballots)
    assert len({b.voter_id for b in one_by_one.ballots}) == one_by_one.num_voters == grouped.num_voters
    assert profile_multiset(one_by_one) == profile_multiset(grouped)
    assert count(one_by_one, "greedy").selected == count(grouped, "greedy").selected


def acceptance_files() -> list[Path]:
    return sorted(oracle.ACCEPTANCE_DIR.glob("*.pb")) if oracle.ACCEPTANCE_DIR.is_dir() else []


@pytest.mark.parametrize("path", acceptance_files(), ids=lambda p: p.name)
def test_held_out_file_reads(path: Path) -> None:
    # The held-out set is only read here, to check the reader copes; nothing is tuned to it.
    e = read_pabulib(path)
    assert e.projects
    assert count(e, "greedy").total_cost <= e.budget


def test_lodz_reads_fast() -> None:
    file = "Poland_Lodz_2023.pb"
    if file not in oracle.DATA_FILES:
        pytest.skip("file not present")
    import time

    best = min(_timed(lambda: read_pabulib(oracle.DATA_DIR / file)) for _ in range(3))
    # Well under a second on an idle machine (~0.2 s); the bound leaves room for a loaded CI box.
    assert best < 2.0, best
    e = election(file)
    started = time.perf_counter()
    count(e, "greedy-threshold")
    assert time.perf_counter() - started < 0.5


def _timed(fn: Any) -> float:
    import time

    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


# --- awkward but valid -----------------------------------------------------------------------------------


def test_small_file() -> None:
    e = parse_pabulib(SMALL)
    assert e.budget == 100
    assert e.vote_type == "approval"
    assert list(e.projects) == ["a", "b", "c"]
    assert e.projects["a"].name == "Park"
    assert e.num_voters == 4
    assert e.meta["rule"] == "greedy"


def test_bom_and_crlf() -> None:
    text = "\ufeff" + SMALL.replace("\n", "\r\n")
    assert profile_multiset(parse_pabulib(text)) == profile_multiset(parse_pabulib(SMALL))
    assert profile_multiset(parse_pabulib(text.encode("utf-8"))) == profile_multiset(parse_pabulib(SMALL))


def test_quoted_fields_with_semicolons_and_quotes() -> None:
    text = SMALL.replace("a;60;Park", 'a;60;"Park; phase 2 ""green"""').replace(
        "description;Test", 'description;"Test; with semicolon"'
    )
    e = parse_pabulib(text)
    assert e.projects["a"].name == 'Park; phase 2 "green"'
    assert e.meta["description"] == "Test; with semicolon"


def test_stray_quote_in_an_unquoted_field_is_read_as_text() -> None:
    e = parse_pabulib(SMALL.replace("a;60;Park", 'a;60;"Green" park for all'))
    assert "Green" in e.projects["a"].name and "park for all" in e.projects["a"].name


def test_decimal_comma_and_decimal_point() -> None:
    text = SMALL.replace("budget;100", "budget;100,5").replace("a;60;Park", 'a;"60,25";Park')
    text = text.replace("b;50;Bench", "b;50.5;Bench")
    e = parse_pabulib(text)
    assert e.budget == Fraction(201, 2)
    assert e.projects["a"].cost == Fraction(241, 4)
    assert e.projects["b"].cost == Fraction(101, 2)


def test_empty_ballots_count_as_voters() -> None:
    text = SMALL + "5;\n6;None\n"
    e = parse_pabulib(text)
    assert e.num_voters == 6
    assert sum(b.weight for b in e.ballots if not b.choices) == 2


def test_any_column_order_and_optional_columns() -> None:
    text = """META
key;value
vote_type;cumulative
budget;10
PROJECTS
name;category;cost;project_id;votes
Park;green,kids;4;p1;2
Bench;;3;p2;1
VOTES
age;points;voter_id;vote;sex
30;2,1;v1;p1,p2;F
;3;v2;p1;
"""
    e = parse_pabulib(text)
    assert e.projects["p1"].categories == ("green", "kids")
    assert e.projects["p2"].categories == ()
    assert e.projects["p1"].extra == {"votes": "2"}
    assert count(e, "greedy").scores == {"p1": 5, "p2": 1}
    kept = parse_pabulib(text, keep_voters=True)
    assert kept.ballots[0].extra == {"age": "30", "sex": "F"}
    assert kept.ballots[1].extra == {}


def test_blank_lines_spaces_and_trailing_commas() -> None:
    text = (
        SMALL.replace("VOTES\n", "\n\nVOTES\n")
        .replace("1;a,b", "1; a , b,")
        .replace("PROJECTS", " projects ")
    )
    e = parse_pabulib(text)
    assert profile_multiset(e) == profile_multiset(parse_pabulib(SMALL))


def test_repeated_projects_in_a_vote() -> None:
    approval = parse_pabulib(SMALL.replace("2;a\n", "2;a,a\n"))
    assert profile_multiset(approval) == profile_multiset(parse_pabulib(SMALL))
    assert any("more than once" in note for note in approval.notes)
    cumulative = parse_pabulib(
        "META\nkey;value\nvote_type;cumulative\nbudget;5\nPROJECTS\nproject_id;cost\nx;1\ny;2\n"
        "VOTES\nvoter_id;vote;points\n1;x,y,x;1,1,1\n"
    )
    assert cumulative.ballots[0].choices == ("x", "y")
    assert cumulative.ballots[0].points == (2, 1)


def test_meta_caps_and_threshold() -> None:
    text = SMALL.replace(
        "rule;greedy",
        "rule;greedy\ncategories;green,kids\nbudget_per_category;40,70\nmin_project_score_threshold;2",
    )
    e = parse_pabulib(text)
    assert e.category_caps == {"green": 40, "kids": 70}
    assert e.min_project_score == 2
    assert "budget_per_category" not in e.meta


def test_mismatched_caps_are_ignored_with_a_note() -> None:
    e = parse_pabulib(
        SMALL.replace("rule;greedy", "rule;greedy\ncategories;green\nbudget_per_category;40,70")
    )
    assert e.category_caps == {}
    assert any("budget_per_category" in note for note in e.notes)


def test_count_mismatch_becomes_a_note() -> None:
    e = parse_pabulib(SMALL.replace("rule;greedy", "rule;greedy\nnum_votes;5"))
    assert e.notes == ("META num_votes says 5 but the file has 4",)


def test_parse_number() -> None:
    assert parse_number("12") == 12
    assert parse_number(" 12,5 ") == Fraction(25, 2)
    assert parse_number("1 000") == 1000
    assert parse_number("-3") == -3
    assert parse_number("1/3") == Fraction(1, 3)
    for bad in ("", "abc", "1,000,000", "1.000,5", "nan", "inf", "1_0"):
        with pytest.raises(ValueError):
            parse_number(bad)


# --- broken files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (SMALL.replace("3;b,c", "3;b,zz"), 16, "unknown project 'zz'"),
        (SMALL.replace("b;50;Bench", "b;fifty;Bench"), 10, "not a number"),
        (SMALL.replace("b;50;Bench", "b;-5;Bench"), 10, "negative"),
        (SMALL.replace("c;30;Tree", "a;30;Tree"), 11, "appears twice"),
        (SMALL.replace("b;50;Bench", "b;50;Bench;extra"), 10, "4 fields but the PROJECTS header has 3"),
        (SMALL.replace("budget;100\n", ""), 1, "no 'budget'"),
        (SMALL.replace("budget;100", "budget;lots"), 4, "'budget' is not a number"),
        (SMALL.replace("vote_type;approval", "vote_type;quadratic"), 5, "not supported"),
        (SMALL.replace("vote_type;approval\n", ""), 12, "no 'vote_type'"),
        (SMALL.replace("voter_id;vote", "voter_id;ballot"), 13, "no 'vote' column"),
        (SMALL.replace("project_id;cost;name", "project_id;price;name"), 8, "no 'cost' column"),
        (SMALL.replace("a;60;Park", 'a;60;"Park'), 9, "closing quote missing"),
        (SMALL.replace("key;value", "key"), 2, "key;value"),
        ("hello\n" + SMALL, 1, "expected a section title"),
        (SMALL + "META\nkey;value\n", 18, "second META section"),
        (SMALL.replace("description;Test", "description"), 3, "key;value"),
    ],
)
def test_broken_file_names_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(PabulibError) as caught:
        parse_pabulib(text, source="broken.pb")
    assert words in str(caught.value)
    assert caught.value.line == line, str(caught.value)
    assert f"broken.pb, line {line}: " in str(caught.value)


def test_points_errors_name_the_line() -> None:
    base = "META\nkey;value\nvote_type;cumulative\nbudget;5\nPROJECTS\nproject_id;cost\nx;1\ny;2\nVOTES\n"
    for votes, words in (
        ("voter_id;vote\n1;x;1\n", "no 'points' column"),
        ("voter_id;vote;points\n1;x,y;1\n", "gives 1 points"),
        ("voter_id;vote;points\n1;x;-1\n", "negative points"),
        ("voter_id;vote;points\n1;x;one\n", "not a number"),
    ):
        with pytest.raises(PabulibError, match=words) as caught:
            parse_pabulib(base + votes)
        assert caught.value.line in (10, 11)


def test_votes_before_projects_is_refused() -> None:
    text = "META\nkey;value\nbudget;1\nvote_type;approval\nVOTES\nvoter_id;vote\n1;a\nPROJECTS\nproject_id;cost\na;1\n"
    with pytest.raises(PabulibError, match="PROJECTS section must come before") as caught:
        parse_pabulib(text)
    assert caught.value.line == 6


def test_not_utf8_names_the_line() -> None:
    data = SMALL.encode("utf-8").replace(b"Bench", b"B\xe9nch")
    with pytest.raises(PabulibError, match="not UTF-8") as caught:
        parse_pabulib(data)
    assert caught.value.line == 10


# --- writer ----------------------------------------------------------------------------------------------


def test_format_number_is_exact() -> None:
    assert format_number(12) == "12"
    assert format_number(Fraction(25, 2)) == "12.5"
    assert format_number(Fraction(-1, 8)) == "-0.125"
    assert format_number(Fraction(1, 3)) == "1/3"
    for value in (Fraction(7, 40), Fraction(1, 3), Fraction(-5, 2), 0, Fraction(3, 1)):
        assert parse_number(format_number(value)) == value


@pytest.mark.parametrize("file", oracle.DATA_FILES)
def test_written_file_reads_back_the_same(file: str, tmp_path: Path) -> None:
    e = election(file)
    path = tmp_path / "out.pb"
    write_pabulib(e, path)
    back = read_pabulib(path)
    assert back.budget == e.budget and back.vote_type == e.vote_type
    assert back.projects == e.projects
    assert [p.extra for p in back.projects.values()] == [p.extra for p in e.projects.values()]
    assert profile_multiset(back) == profile_multiset(e)
    assert back.category_caps == e.category_caps and back.min_project_score == e.min_project_score
    assert {k: v for k, v in back.meta.items()} == dict(e.meta)
    # ...and pabutools reads our file as the same instance and profile as it reads the original.  (Not for
    # the one 3 MB file, where pabutools alone needs 5-15 s; the original Lodz file is still compared with
    # pabutools above, and our own round trip of it just now.)
    if path.stat().st_size > 2_000_000:
        return
    instance, profile = pabutools_parse(str(path))
    same_as_pabutools(e, instance, profile)


def test_written_file_keeps_voter_ids_and_columns(tmp_path: Path) -> None:
    e = parse_pabulib(
        SMALL.replace("voter_id;vote", "voter_id;vote;age").replace("1;a,b", "1;a,b;40"), keep_voters=True
    )
    text = dumps_pabulib(e)
    assert "voter_id;vote;age" in text
    back = parse_pabulib(text, keep_voters=True)
    assert [b.voter_id for b in back.ballots] == ["1", "2", "3", "4"]
    assert back.ballots[0].extra == {"age": "40"}


def test_writer_round_trip_with_awkward_values() -> None:
    projects = [
        Project(
            "p;1",
            Fraction(5, 2),
            name='Name with ; and "quotes"',
            categories=("green",),
            neighborhood="Noord",
        ),
        Project("p2", 3, categories=("kids", "green")),
        Project("p3", Fraction(1, 3)),
    ]
    ballots = [Ballot(("p;1", "p2"), weight=3), Ballot(()), Ballot(("p3",), voter_id="x7")]
    e = Election.build(
        Fraction(11, 2), projects, ballots, category_caps={"green": 4}, neighborhood_caps={"Noord": 3}
    )
    text = dumps_pabulib(e)
    back = parse_pabulib(text)
    assert back.projects == e.projects
    assert back.category_caps == {"green": 4} and back.neighborhood_caps == {"Noord": 3}
    assert profile_multiset(back) == profile_multiset(e)
    instance, profile = parse_pabulib_from_string(text)
    same_as_pabutools(e, instance, profile)


def test_writer_round_trip_for_points_and_rankings() -> None:
    projects = [Project("a", 1), Project("b", 2), Project("c", 3)]
    cumulative = Election.build(5, projects, [Ballot(("a", "b"), (2, 1)), Ballot((), ())], "cumulative")
    ordinal = Election.build(
        5, projects, [Ballot(("c", "a")), Ballot(("a",), weight=2), Ballot(())], "ordinal"
    )
    for e in (cumulative, ordinal):
        text = dumps_pabulib(e)
        assert profile_multiset(parse_pabulib(text)) == profile_multiset(e)
        instance, profile = parse_pabulib_from_string(text)
        same_as_pabutools(e, instance, profile)


def test_writer_refuses_commas_in_ids() -> None:
    e = Election.build(5, [Project("a,b", 1)], [])
    with pytest.raises(ValueError, match="comma"):
        dumps_pabulib(e)


def test_pabutools_written_file_reads_the_same() -> None:
    from pabutools.election.pabulib import election_as_pabulib_string

    file = "Poland_Katowice_2020_Osiedle_Witosa.pb"
    if file not in oracle.DATA_FILES:
        pytest.skip("file not present")
    instance, profile = oracle.parsed(file)
    ours = parse_pabulib(election_as_pabulib_string(instance, profile))
    assert profile_multiset(ours) == profile_multiset(election(file))
