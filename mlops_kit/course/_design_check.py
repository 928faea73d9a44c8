"""The result of a design check: one judged item per guideline, and the rubric levels.

:func:`~mlops_kit.course.check_design` (in ``_design``) judges six parts of a design
(:data:`DESIGN_CRITERIA`), each *pass*, *weak* or *missing* (:class:`CheckStatus`) with a
sentence saying why (:class:`CheckItem`); :class:`DesignCheck` holds them, and its
:meth:`~DesignCheck.score` turns them into the automatic levels of the Evaluate phase's
rubric (:func:`mlops_kit.course.score_rubric`).
"""

from __future__ import annotations

import enum
import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DESIGN_CRITERIA", "CheckItem", "CheckStatus", "DesignCheck"]

#: The parts :func:`check_design` judges, in order: key and title.
DESIGN_CRITERIA: dict[str, str] = {
    "approval": "A named person approves",
    "fairness": "Fairness limits",
    "monitoring": "Monitoring and retraining",
    "rollback": "Rollback plan",
    "privacy": "Privacy",
    "transparency": "Transparency record",
}


class CheckStatus(enum.StrEnum):
    """How well one part of the design meets its guideline."""

    PASS = "pass"
    WEAK = "weak"
    MISSING = "missing"


_SYMBOLS = {
    CheckStatus.PASS: "✔ pass",
    CheckStatus.WEAK: "△ weak",
    CheckStatus.MISSING: "✘ missing",
}


@dataclass(frozen=True)
class CheckItem:
    """One judged part of a design: its status, a sentence why, and the keys it read."""

    criterion: str
    status: CheckStatus
    message: str
    keys: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """The criterion's title."""
        return DESIGN_CRITERIA[self.criterion]


@dataclass(frozen=True)
class DesignCheck:
    """The result of :func:`check_design`: one :class:`CheckItem` per criterion."""

    design: str
    items: tuple[CheckItem, ...]
    extras: Mapping[str, bool] = field(default_factory=dict, repr=False)
    """Per rubric criterion, whether the extra a level 3 needs is there (see :meth:`score`)."""

    def item(self, criterion: str) -> CheckItem:
        """The item of ``criterion`` (a key of :data:`DESIGN_CRITERIA`)."""
        for it in self.items:
            if it.criterion == criterion:
                return it
        hint = did_you_mean(criterion, DESIGN_CRITERIA)
        raise ConfigError(
            f"The 'criterion' parameter of DesignCheck.item must be one of "
            f"{', '.join(DESIGN_CRITERIA)}. Got {criterion!r} instead.{hint}"
        )

    @property
    def passed(self) -> bool:
        """Whether every part passes."""
        return all(it.status is CheckStatus.PASS for it in self.items)

    @property
    def missing(self) -> tuple[str, ...]:
        """The criteria reported missing."""
        return tuple(it.criterion for it in self.items if it.status is CheckStatus.MISSING)

    @property
    def weak(self) -> tuple[str, ...]:
        """The criteria reported weak."""
        return tuple(it.criterion for it in self.items if it.status is CheckStatus.WEAK)

    def score(self) -> dict[str, int]:
        """The automatic rubric levels (0 to 3) of the criteria a machine can judge.

        Pass gives level 2, weak 1, missing 0; level 3 also needs the extra a peer would
        look for: governance, approval *and* a rollback plan; fairness, a written metric
        rationale and small-group handling; monitoring, late labels dealt with; privacy
        (and transparency), both passing and the re-identification risk of exports
        assessed (quasi-identifiers named), or no personal data at all.
        Pass it to :func:`mlops_kit.course.score_rubric` as ``auto``.
        """
        level = {CheckStatus.PASS: 2, CheckStatus.WEAK: 1, CheckStatus.MISSING: 0}
        st = {it.criterion: it.status for it in self.items}
        ok = CheckStatus.PASS

        def up(base: int, extra: bool) -> int:
            return 3 if base == 2 and extra else base

        privacy = min(level[st["privacy"]], level[st["transparency"]])
        if privacy == 0 and ok in (st["privacy"], st["transparency"]):
            privacy = 1
        return {
            "governance": up(level[st["approval"]], st["rollback"] is ok),
            "fairness": up(level[st["fairness"]], self.extras.get("fairness", False)),
            "monitoring": up(level[st["monitoring"]], self.extras.get("monitoring", False)),
            "privacy": up(privacy, self.extras.get("privacy", False)),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per criterion: title, status, what was found, the keys read."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "criterion": it.criterion,
                    "title": it.title,
                    "status": it.status.value,
                    "finding": it.message,
                    "keys": ", ".join(it.keys),
                }
                for it in self.items
            ]
        ).set_index("criterion")

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for JSON): the design, each item and the rubric levels."""
        return {
            "design": self.design,
            "passed": self.passed,
            "items": [
                {"criterion": it.criterion, "status": it.status.value, "message": it.message}
                for it in self.items
            ],
            "score": self.score(),
        }

    def summary(self) -> str:
        """The check in one sentence."""
        n_pass = sum(it.status is CheckStatus.PASS for it in self.items)
        parts = [f"{n_pass} of {len(self.items)} parts of {self.design} pass"]
        if self.weak:
            parts.append(f"weak: {', '.join(self.weak)}")
        if self.missing:
            parts.append(f"missing: {', '.join(self.missing)}")
        return "; ".join(parts) + "."

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = "".join(
            f"<tr><th scope='row'>{esc(it.title)}</th><td>{_SYMBOLS[it.status]}</td>"
            f"<td>{esc(it.message)}</td></tr>"
            for it in self.items
        )
        return (
            f"<table class='mlops-design-check'><caption>Design check: {esc(self.design)}"
            "</caption><thead><tr><th scope='col'>guideline</th><th scope='col'>status</th>"
            f"<th scope='col'>what the check found</th></tr></thead><tbody>{rows}</tbody>"
            f"</table><p>{esc(self.summary())}</p>"
        )
