"""The one parameter that switches a lesson between the novice and experienced tracks."""

from __future__ import annotations

import re

import pytest

from mlops_kit.course import Glossary, Track, TrackNote, track_guide
from mlops_kit.course._track import TRACKS
from mlops_kit.errors import ConfigError

TERMS = {"trial": "one try of one set of settings", "pruning": "stopping a poor trial early"}


@pytest.mark.parametrize("name", TRACKS)
def test_each_track_name_gives_its_track(name: str) -> None:
    track = track_guide(name)
    assert track == Track(name)  # type: ignore[arg-type]
    assert track.novice == (name == "novice")
    assert name.capitalize() in repr(track.intro())


@pytest.mark.parametrize(
    ("value", "suggestion"),
    [("novise", "Did you mean 'novice'?"), ("Experienced ", "Did you mean 'experienced'?")],
)
def test_a_mistyped_track_is_refused_with_the_two_names_and_a_suggestion(
    value: str, suggestion: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        track_guide(value)
    message = str(caught.value)
    assert "'track' parameter" in message
    assert "'novice', 'experienced'" in message
    assert repr(value) in message
    assert suggestion in message


def test_a_track_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"Got 2 instead\.$"):
        track_guide(2)  # type: ignore[arg-type]


def test_novices_get_every_term_as_a_keyboard_pop_out() -> None:
    shown = track_guide("novice").terms(TERMS, title="Tuning terms")
    assert isinstance(shown, Glossary)
    page = shown._repr_html_()
    # One <details> per term, its summary the term, its body the meaning (escaped).
    assert re.findall(r"<summary><strong>(.*?)</strong></summary>", page) == list(TERMS)
    assert all(meaning in page for meaning in TERMS.values())
    assert "Tuning terms (open one with Enter)" in repr(shown)


def test_experienced_learners_see_one_line_instead_of_the_terms() -> None:
    shown = track_guide("experienced").terms(list(TERMS.items()))
    assert isinstance(shown, TrackNote)
    assert "terms are skipped" in repr(shown)
    assert not any(term in repr(shown) for term in TERMS)


def test_hints_fold_one_by_one_for_novices_and_are_counted_for_the_experienced() -> None:
    novice = track_guide("novice").hints("Read gate.json.", "Look for <fairness>.")
    page = novice._repr_html_()
    assert page.count("<details>") == 2
    assert "Hint 2" in page
    assert "Look for &lt;fairness&gt;." in page  # escaped, not markup
    experienced = track_guide("experienced").hints("Read gate.json.", "Look for fairness.")
    assert "2 hint(s)" in repr(experienced)
    assert "<details>" not in experienced._repr_html_()


def test_going_further_is_open_and_numbered_for_the_experienced_and_folded_for_novices() -> None:
    tasks = ["Run it again with seed 1.", "Compare the two gate decisions."]
    experienced = track_guide("experienced").going_further(tasks)
    assert repr(experienced).splitlines() == [
        "Going further (experienced track)",
        "1. Run it again with seed 1.",
        "2. Compare the two gate decisions.",
    ]
    assert "<ol>" in experienced._repr_html_()
    novice = track_guide("novice").going_further(tasks)
    assert "Going further (for when you have finished)" in repr(novice)
    assert novice._repr_html_().count("<details>") == 2


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda t: t.terms({}), "at least one"),
        (lambda t: t.hints(), "at least one hint"),
        (lambda t: t.going_further([]), "one or more tasks"),
        (lambda t: t.going_further("Run it again."), "list of one or more tasks"),
    ],
)
def test_empty_material_is_refused(call: object, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        call(track_guide("novice"))  # type: ignore[operator]


def test_every_exercise_lists_its_terms_for_the_novice_track() -> None:
    from mlops_kit.exercises import exercise_terms
    from mlops_kit.exercises._framework import list_exercises

    for exercise in list_exercises():
        terms = exercise_terms(exercise)
        assert len(terms) >= 4, exercise
        assert all(term.strip() and meaning.strip() for term, meaning in terms.items())


def test_code_in_a_track_note_is_shown_as_code_and_everything_else_escaped() -> None:
    note = track_guide("experienced").going_further(["Call `tune(x)` on <data>."])
    assert "<li>Call <code>tune(x)</code> on &lt;data&gt;.</li>" in note._repr_html_()


def test_an_exercise_term_without_a_meaning_is_refused() -> None:
    from mlops_kit.exercises import Exercise, Feedback, Question
    from mlops_kit.exercises._feedback import Status

    def checker(answer: object, data: object) -> Feedback:
        return Feedback("demo.q1", Status.CORRECT, "Right.")

    question = Question("demo.q1", "Any?", checker, "Look again.")
    with pytest.raises(ConfigError, match=r"needs a name and a meaning.*'trial'"):
        Exercise("demo", "Demo", (question,), terms=(("trial", " "),))


def _glossaries() -> dict[str, dict[str, str]]:
    """Every glossary a lesson shows as pop-outs, by the lesson's topic."""
    from mlops_kit.course import (
        AB_GLOSSARY,
        EXPLAIN_GLOSSARY,
        GOVERNANCE_GLOSSARY,
        MONITORING_GLOSSARY,
        PIPELINE_GLOSSARY,
        PRIVACY_GLOSSARY,
        REVIEW_GLOSSARY,
        TUNING_GLOSSARY,
    )
    from mlops_kit.metrics import METRIC_GLOSSARY

    return {
        "abtest": AB_GLOSSARY,
        "explain": EXPLAIN_GLOSSARY,
        "governance": GOVERNANCE_GLOSSARY,
        "metrics": METRIC_GLOSSARY,
        "monitor": MONITORING_GLOSSARY,
        "pipeline": PIPELINE_GLOSSARY,
        "privacy": PRIVACY_GLOSSARY,
        "review": REVIEW_GLOSSARY,
        "tune": TUNING_GLOSSARY,
    }


@pytest.mark.parametrize("where", sorted(_glossaries()))
def test_every_glossary_term_has_a_meaning_in_words_and_its_own_pop_out(where: str) -> None:
    glossary = _glossaries()[where]
    assert len(glossary) >= 4
    for term, meaning in glossary.items():
        assert term == term.strip() != "", repr(term)
        assert len(meaning.split()) >= 5, f"{term!r} is explained in too few words: {meaning!r}"
        assert meaning.endswith("."), f"{term!r} does not end as a sentence: {meaning!r}"
    # A lesson shows them as one keyboard pop-out per term on the novice track.
    page = track_guide("novice").terms(glossary)._repr_html_()
    assert page.count("<details>") == len(glossary)


def test_novices_get_the_how_to_use_card_and_the_experienced_one_line() -> None:
    from mlops_kit.course._track import HOW_TO_USE

    card = track_guide("novice").how_to_use()
    assert card.title == "How to use this notebook (novice track)"
    assert [what for what, _ in card.items] == [
        "Run a cell",
        "Run every cell",
        "What a kernel is",
        "Restart the kernel",
        "When a cell fails",
    ]
    assert card.items == HOW_TO_USE
    text = repr(card)
    for words in ("Shift+Enter", "Run > Run All Cells", "Kernel > Restart Kernel", "last line"):
        assert words in text
    # Open, not folded: a card to read at the start, its menu arrows escaped in HTML.
    page = card._repr_html_()
    assert "<details>" not in page
    assert "Run &gt; Run All Cells" in page
    skipped = track_guide("experienced").how_to_use()
    assert repr(skipped) == (
        'Experienced track: the "How to use this notebook" card is skipped (switch to the '
        "novice track to see it)."
    )
