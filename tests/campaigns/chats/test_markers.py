"""The Q1/A1 text rules, with and without leading @mentions, in every style the issue lists."""

from __future__ import annotations

import pytest

from campaigns.chats.markers import answer_number, question_number, question_text

pytestmark = pytest.mark.both_databases


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Q1 What now?", 1),
        ("Q1: What now?", 1),
        ("Q1. What now?", 1),
        ("Q 1 What now?", 1),
        ("question 12: last one", 12),
        ("@HostX Q2. Where?", 2),
        ("@host@mastodon.social @eve.bsky.social q3 who?", 3),
        ("Q10x not a marker", None),
        ("Quick question", None),
        ("A1 an answer", None),
        ("", None),
    ],
)
def test_question_markers(text, number):
    assert question_number(text) == number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("A1 yes", 1),
        ("a1: yes", 1),
        ("A 1) yes", 1),
        ("A1. yes", 1),
        ("@host@mastodon.social A 1) less paperwork", 1),
        ("A3: and people", 3),
        ("Answer 1", None),  # only A-markers answer
        ("Agreed", None),
        ("A1b", None),
    ],
)
def test_answer_markers(text, number):
    assert answer_number(text) == number


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "Q1: What does health IT mean to you? #NHITchat",
            "What does health IT mean to you? #NHITchat",
        ),
        ("@HostX Q2. Where does data sharing stall?", "Where does data sharing stall?"),
        ("Question 3 Who is left out?", "Who is left out?"),
        ("No marker at all", "No marker at all"),
    ],
)
def test_a_question_shows_without_its_marker(text, shown):
    assert question_text(text) == shown
