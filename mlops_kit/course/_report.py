"""A written report of a team's design: the alternative to presenting it.

:func:`export_written_report` writes the same content twice, as Markdown (to edit or
paste into a document) and as a standalone, accessible HTML page (to open in any
browser or print): one ``h1``, then ``h2`` sections in order, every table with a
caption and header cells scoped to their column or row, levels written in words, and
the page's language declared. Both files are written atomically.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_text
from ..errors import ConfigError, did_you_mean
from ._feedback import PeerFeedback
from ._reflect import REFLECTION_QUESTIONS, SelfAssessmentSummary
from ._rubric import LEVELS, RubricScore

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["WrittenReport", "export_written_report"]

_NOT_ANSWERED = "Not answered yet."


@dataclass(frozen=True)
class WrittenReport:
    """The two files a written report was saved to."""

    markdown: Path
    html: Path

    def _repr_html_(self) -> str:
        return (
            f"<p>Written report saved as <code>{html.escape(str(self.markdown))}</code> "
            f"(Markdown) and <code>{html.escape(str(self.html))}</code> (HTML).</p>"
        )


@dataclass(frozen=True)
class _Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


_Block = str | _Table


def _words(level: Any, missing: str = "not scored") -> str:
    if level is None or (isinstance(level, float) and level != level):
        return missing
    return f"{int(level)} ({LEVELS[int(level)]})"


def _feedback_rows(feedback: Any, team: str) -> list[dict[str, Any]]:
    import pandas as pd

    if isinstance(feedback, pd.DataFrame):
        missing = {"team", "reviewer", "strength", "improvement"} - set(feedback.columns)
        if missing:
            raise ConfigError(
                "The 'feedback' parameter of export_written_report must be the table "
                f"load_feedback gives. Missing columns: {', '.join(sorted(missing))}."
            )
        return [
            {str(k): v for k, v in r.items()}
            for r in feedback.to_dict("records")
            if r["team"] == team
        ]
    if isinstance(feedback, Sequence) and not isinstance(feedback, str):
        rows = []
        for item in feedback:
            if not isinstance(item, PeerFeedback):
                raise ConfigError(
                    "The 'feedback' parameter of export_written_report must be a table from "
                    "load_feedback or a list of PeerFeedback. "
                    f"Got a list holding {type(item).__name__} instead."
                )
            if item.team == team:
                rows.append({**item.to_dict(), **item.scores})
        return rows
    raise ConfigError(
        "The 'feedback' parameter of export_written_report must be a table from "
        f"load_feedback or a list of PeerFeedback. Got {type(feedback).__name__} instead."
    )


def _blocks(
    team: str,
    design_summary: str | Mapping[str, str],
    rubric: RubricScore,
    feedback: list[dict[str, Any]],
    reflections: Mapping[str, str],
    self_assessment: SelfAssessmentSummary | None,
) -> list[tuple[str, list[_Block]]]:
    sections: list[tuple[str, list[_Block]]] = []
    if isinstance(design_summary, str):
        sections.append(("Our design", [design_summary.strip() or "No summary given."]))
    else:
        parts: list[_Block] = []
        for heading, text in design_summary.items():
            parts.append(f"**{heading}.** {str(text).strip()}")
        sections.append(("Our design", parts or ["No summary given."]))

    rubric_table = _Table(
        caption=f"Rubric score. {rubric.summary()}",
        header=("Criterion", "Automatic", "Peer", "Final level", "What it means"),
        rows=tuple(
            (
                c.criterion.title,
                _words(c.auto, "not given"),
                _words(c.peer, "not given"),
                _words(c.level),
                c.descriptor,
            )
            for c in rubric.criteria
        ),
    )
    sections.append(("Rubric score", [rubric_table, rubric.rule]))

    if feedback:
        keys = [c.criterion.key for c in rubric.criteria]
        titles = tuple(c.criterion.title for c in rubric.criteria)
        scores = _Table(
            caption=f"Peer scores from {len(feedback)} reviewer{'s' if len(feedback) != 1 else ''}",
            header=("Reviewer", *titles),
            rows=tuple((str(r["reviewer"]), *(_words(r.get(k)) for k in keys)) for r in feedback),
        )
        comments = _Table(
            caption="What reviewers said",
            header=("Reviewer", "One strength", "One improvement"),
            rows=tuple(
                (str(r["reviewer"]), str(r["strength"]), str(r["improvement"])) for r in feedback
            ),
        )
        sections.append(("Peer feedback", [scores, comments]))
    else:
        sections.append(("Peer feedback", ["No peer feedback yet."]))

    reflection_blocks: list[_Block] = []
    for key, question in REFLECTION_QUESTIONS.items():
        answer = str(reflections.get(key, "")).strip() or _NOT_ANSWERED
        reflection_blocks += [f"**{question}**", answer]
    sections.append(("Reflections", reflection_blocks))

    if self_assessment is not None:
        frame = self_assessment.to_frame()
        table = _Table(
            caption=f"Skills self-assessment, 1 to 4. {self_assessment.summary()}",
            header=("Skill", "Before", "After", "After in words", "Gap"),
            rows=tuple(
                (str(skill), str(r["before"]), str(r["after"]), r["after in words"], r["gap"])
                for skill, r in frame.iterrows()
            ),
        )
        sections.append(("Skills self-assessment", [table]))
    return sections


def _md_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _markdown(title: str, sections: list[tuple[str, list[_Block]]]) -> str:
    lines = [f"# {title}", ""]
    number = 0
    for heading, blocks in sections:
        lines += [f"## {heading}", ""]
        for block in blocks:
            if isinstance(block, _Table):
                number += 1
                lines += [f"Table {number}: {block.caption}", ""]
                lines.append("| " + " | ".join(_md_cell(h) for h in block.header) + " |")
                lines.append("|" + "---|" * len(block.header))
                lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
            else:
                lines.append(block)
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _html_text(block: str) -> str:
    paragraphs = [p.strip() for p in block.split("\n\n") if p.strip()]
    out = []
    for p in paragraphs:
        escaped = html.escape(p)
        if escaped.startswith("**") and "**" in escaped[2:]:
            bold, rest = escaped[2:].split("**", 1)
            escaped = f"<strong>{bold}</strong>{rest}"
        out.append(f"<p>{escaped}</p>")
    return "\n".join(out)


def _html(title: str, sections: list[tuple[str, list[_Block]]]) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60em;margin:auto;"
        "padding:1em;line-height:1.5}table{border-collapse:collapse;margin:1em 0}"
        "th,td{border:1px solid #444;padding:.3em .5em;text-align:left;vertical-align:top}"
        "caption{font-weight:bold;text-align:left;padding:.3em 0}</style>",
        "</head>",
        '<body class="mlops-written-report">',
        "<main>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for heading, blocks in sections:
        parts.append(f"<section><h2>{html.escape(heading)}</h2>")
        for block in blocks:
            if isinstance(block, _Table):
                head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in block.header)
                body = "".join(
                    f'<tr><th scope="row">{html.escape(row[0])}</th>'
                    + "".join(f"<td>{html.escape(c)}</td>" for c in row[1:])
                    + "</tr>"
                    for row in block.rows
                )
                parts.append(
                    f"<table><caption>{html.escape(block.caption)}</caption>"
                    f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
                )
            else:
                parts.append(_html_text(block))
        parts.append("</section>")
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def export_written_report(
    team: str,
    design_summary: str | Mapping[str, str],
    rubric: RubricScore,
    feedback: pd.DataFrame | Sequence[PeerFeedback],
    reflections: Mapping[str, str],
    *,
    path: str | os.PathLike[str],
    self_assessment: SelfAssessmentSummary | None = None,
) -> WrittenReport:
    """Write a team's design, rubric score, peer feedback and reflections as a report.

    Parameters
    ----------
    team : str
        The team's name, used in the title.
    design_summary : str or mapping of str to str
        The design in a few paragraphs (separated by blank lines), or section title to
        text (lesson 10's design check can supply it).
    rubric : RubricScore
        From :func:`~mlops_kit.course.score_rubric`.
    feedback : pandas.DataFrame or sequence of PeerFeedback
        The table from :func:`~mlops_kit.course.load_feedback`, or records; only
        ``team``'s rows are used.
    reflections : mapping of str to str
        Answers by key of :data:`~mlops_kit.course.REFLECTION_QUESTIONS`; a question
        left out or blank is written as "Not answered yet."
    path : path
        The Markdown file to write (ending ``.md``); the HTML goes beside it with
        ``.html``. Folders are created when needed.
    self_assessment : SelfAssessmentSummary, optional
        Adds the skills self-assessment as a last section.

    Returns
    -------
    WrittenReport
        The paths of the Markdown and HTML files.

    Raises
    ------
    ConfigError
        For an empty team, a path not ending ``.md``, a rubric that is not a
        :class:`RubricScore`, feedback of the wrong kind or an unknown reflection key.
    """
    target = Path(path)
    team = _checked_inputs(team, target, rubric, design_summary, reflections)
    rows = _feedback_rows(feedback, team)
    sections = _blocks(team, design_summary, rubric, rows, reflections, self_assessment)
    title = f"Pipeline design report: {team}"
    md_path = atomic_write_text(target, _markdown(title, sections))
    html_path = atomic_write_text(target.with_suffix(".html"), _html(title, sections))
    return WrittenReport(md_path, html_path)


def _checked_inputs(
    team: Any,
    target: Path,
    rubric: Any,
    design_summary: Any,
    reflections: Any,
) -> str:
    """The team's name with its spaces tidied, once every parameter of the report is valid."""
    where = "export_written_report"
    if not isinstance(team, str) or not team.strip():
        raise ConfigError(
            f"The 'team' parameter of {where} must be a non-empty name. Got {team!r} instead."
        )
    if target.suffix != ".md":
        raise ConfigError(
            f"The 'path' parameter of {where} must be a Markdown file ending '.md' "
            f"(the HTML is written beside it). Got {str(target)!r} instead."
        )
    if not isinstance(rubric, RubricScore):
        raise ConfigError(
            f"The 'rubric' parameter of {where} must be a RubricScore from score_rubric. "
            f"Got {type(rubric).__name__} instead."
        )
    if not isinstance(design_summary, str | Mapping):
        raise ConfigError(
            f"The 'design_summary' parameter of {where} must be text or a mapping of "
            f"section to text. Got {type(design_summary).__name__} instead."
        )
    if not isinstance(reflections, Mapping):
        raise ConfigError(
            f"The 'reflections' parameter of {where} must be a mapping of question key to "
            f"answer. Got {type(reflections).__name__} instead."
        )
    unknown = [k for k in reflections if k not in REFLECTION_QUESTIONS]
    if unknown:
        raise ConfigError(
            f"The 'reflections' parameter of {where} names an unknown question {unknown[0]!r}; "
            f"the questions are {', '.join(REFLECTION_QUESTIONS)}."
            f"{did_you_mean(str(unknown[0]), REFLECTION_QUESTIONS)}"
        )
    return " ".join(team.split())
