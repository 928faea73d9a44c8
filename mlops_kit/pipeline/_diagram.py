"""The whole automated pipeline in one picture, drawn from the stage list.

:func:`pipeline_diagram` reads :data:`~mlops_kit.pipeline.STAGES` and
:data:`~mlops_kit.pipeline.STAGE_FILES` (what each stage writes into the run folder) and
:data:`PERSON_DECISIONS` (where a named person, not the pipeline, decides), so adding a
stage or a file changes the picture and its description together. The picture is a
column of stages, each a rectangle with the files it writes beside it; a person's
decision is a diamond marked "PERSON DECIDES". Shape and words carry the meaning,
colour only repeats it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ._runner import STAGES, Stage
from ._stage_files import STAGE_FILES, StageFiles

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from ..figures import DescribedFigure

__all__ = ["PERSON_DECISIONS", "PersonDecision", "PipelineDiagram", "pipeline_diagram"]


@dataclass(frozen=True)
class PersonDecision:
    """A point where a named person decides, after the stage it follows.

    Attributes
    ----------
    name : str
        The decision, in a few words.
    who : str
        Who decides.
    what : str
        What they decide, in one sentence.
    """

    name: str
    who: str
    what: str


#: Where a person decides, keyed by the stage the decision follows.
PERSON_DECISIONS: dict[str, PersonDecision] = {
    Stage.GATE: PersonDecision(
        name="human approval at the gate",
        who="a named approver who did not train the model",
        what=(
            "the gate holds a high-impact model, or one with a check the data cannot judge, "
            "as 'needs human approval' until a person signs it off"
        ),
    ),
    Stage.REGISTER: PersonDecision(
        name="the approve step",
        who="a named approver who did not train the model",
        what=(
            "a version the gate did not promote becomes champion only through a written, "
            "named approval (Registry.approve), recorded in the audit log before the alias "
            "moves"
        ),
    ),
    Stage.MONITOR: PersonDecision(
        name="the monitoring review",
        who="the model's owner",
        what=(
            "reads the alerts and decides whether to retrain a challenger, send decisions "
            "to human review, or carry on"
        ),
    ),
}


@dataclass(frozen=True)
class DiagramStep:
    """One stage of the picture: its place, the files it writes, any decision after it."""

    number: int
    stage: str
    writes: tuple[str, ...]
    person: PersonDecision | None


@dataclass(frozen=True, repr=False)
class PipelineDiagram:
    """The pipeline's stages in order, what each writes and where a person decides.

    Build it with :func:`pipeline_diagram`; :meth:`plot` draws it,
    :meth:`description` says the same in words, :meth:`to_frame` lists it.
    """

    steps: tuple[DiagramStep, ...]

    @property
    def decisions(self) -> tuple[tuple[str, PersonDecision], ...]:
        """The stages a person's decision follows, with the decision."""
        return tuple((s.stage, s.person) for s in self.steps if s.person is not None)

    def description(self) -> str:
        """The whole picture in words, for a screen reader and for the slides."""
        n = len(self.steps)
        parts = [
            f"The automated pipeline runs {n} stages in order, each reading only files "
            "that earlier stages wrote in the run folder."
        ]
        for step in self.steps:
            text = f"{step.number}. {step.stage} writes {_join(step.writes)}."
            if step.person is not None:
                text += (
                    f" Then a person decides ({step.person.name}): {step.person.who}; "
                    f"{step.person.what}."
                )
            parts.append(text)
        parts.append(
            f"A person decides at {len(self.decisions)} points, drawn as diamonds; "
            "every other step runs with no one at the keyboard."
        )
        return " ".join(parts)

    def to_frame(self) -> pd.DataFrame:
        """One row per stage: number, stage, the files it writes, the decision after it."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "number": s.number,
                    "stage": s.stage,
                    "writes": ", ".join(s.writes),
                    "then a person decides": (
                        f"{s.person.name}: {s.person.who}" if s.person else ""
                    ),
                }
                for s in self.steps
            ],
            columns=["number", "stage", "writes", "then a person decides"],
        )

    def plot(self, *, ax: Axes | None = None) -> DescribedFigure:
        """Draw the stages top to bottom: rectangles for stages, diamonds for people."""
        from matplotlib.figure import Figure
        from matplotlib.patches import FancyBboxPatch, Polygon

        from ..figures import PALETTE, DescribedFigure

        rows = len(self.steps) + len(self.decisions)
        if ax is None:
            fig = Figure(figsize=(9.0, 0.5 * rows + 0.8), layout="constrained")
            ax = fig.add_subplot()
        else:
            fig = ax.figure  # type: ignore[assignment]
        ax.set_xlim(0, 10)
        ax.set_ylim(-rows + 0.4, 1.1)
        ax.axis("off")
        ax.text(1.6, 0.75, "Stage (automated)", ha="center", fontsize=9, fontweight="bold")
        ax.text(3.4, 0.75, "Writes into the run folder", ha="left", fontsize=9, fontweight="bold")
        y = 0.0
        for step in self.steps:
            ax.add_patch(
                FancyBboxPatch(
                    (0.3, y - 0.3),
                    2.6,
                    0.6,
                    boxstyle="round,pad=0.02",
                    facecolor=PALETTE[4],
                    edgecolor="black",
                )
            )
            ax.text(1.6, y, f"{step.number}. {step.stage}", ha="center", va="center", fontsize=10)
            ax.annotate("", xy=(3.3, y), xytext=(2.95, y), arrowprops={"arrowstyle": "->"})
            ax.text(3.4, y, _wrap(step.writes), ha="left", va="center", fontsize=8)
            nxt = y - 1.0
            if step.person is not None:
                d = y - 1.0
                ax.add_patch(
                    Polygon(
                        [(1.6, d + 0.42), (2.5, d), (1.6, d - 0.42), (0.7, d)],
                        closed=True,
                        facecolor=PALETTE[1],
                        edgecolor="black",
                        hatch="//",
                        linestyle="--",
                    )
                )
                ax.text(
                    1.6,
                    d,
                    "PERSON\nDECIDES",
                    ha="center",
                    va="center",
                    fontsize=7,
                    fontweight="bold",
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0},
                )
                ax.text(
                    3.4,
                    d,
                    f"{step.person.name}: {step.person.who}",
                    ha="left",
                    va="center",
                    fontsize=8,
                    fontstyle="italic",
                )
                ax.annotate(
                    "", xy=(1.6, d + 0.42), xytext=(1.6, y - 0.3), arrowprops={"arrowstyle": "->"}
                )
                nxt = d - 1.0
                top, start = nxt + 0.3, d - 0.42
            else:
                top, start = nxt + 0.3, y - 0.3
            if step is not self.steps[-1]:
                ax.annotate("", xy=(1.6, top), xytext=(1.6, start), arrowprops={"arrowstyle": "->"})
            y = nxt
        title = "The automated pipeline: stages, what each writes, where a person decides"
        ax.set_title(title, fontsize=11)
        return DescribedFigure(fig, title, self.description())

    def summary(self) -> str:
        """The picture's description."""
        return self.description()

    def __repr__(self) -> str:
        return self.description()

    def _repr_html_(self) -> str:
        return self.plot().to_html()


def _join(names: tuple[str, ...]) -> str:
    if not names:
        return "nothing"
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _wrap(names: tuple[str, ...], width: int = 70) -> str:
    lines: list[str] = []
    line = ""
    for name in names:
        piece = name if not line else f", {name}"
        if line and len(line) + len(piece) > width:
            lines.append(line + ",")
            line = name
        else:
            line += piece
    lines.append(line)
    return "\n".join(lines)


def pipeline_diagram(
    stage_files: Mapping[str, StageFiles] | None = None,
    *,
    decisions: Mapping[str, PersonDecision] | None = None,
) -> PipelineDiagram:
    """The pipeline's stages, the files each writes and where a person decides.

    Parameters
    ----------
    stage_files : mapping of stage name to StageFiles, optional
        The stages in order; default :data:`STAGE_FILES` (the real pipeline).
    decisions : mapping of stage name to PersonDecision, optional
        The decisions and the stage each follows; default :data:`PERSON_DECISIONS`.

    Returns
    -------
    PipelineDiagram
        Displays as the figure with its description; ``.plot()`` gives the
        :class:`~mlops_kit.figures.DescribedFigure`.

    Raises
    ------
    ConfigError
        When a decision follows a stage that is not in ``stage_files``.

    Examples
    --------
    >>> diagram = pipeline_diagram()
    >>> [s.stage for s in diagram.steps][:3]
    ['validate', 'tune', 'train']
    >>> [stage for stage, _ in diagram.decisions]
    ['gate', 'register', 'monitor']
    """
    files: Mapping[str, Any] = (
        {s: STAGE_FILES[s] for s in STAGES} if stage_files is None else stage_files
    )
    people = PERSON_DECISIONS if decisions is None else decisions
    names = [str(s) for s in files]
    unknown = [str(s) for s in people if str(s) not in names]
    if unknown:
        raise ConfigError(
            "The 'decisions' parameter of pipeline_diagram must name stages of the pipeline "
            f"({', '.join(names)}). Got {', '.join(unknown)} instead."
        )
    by_name = {str(k): v for k, v in people.items()}
    steps = tuple(
        DiagramStep(
            number=i,
            stage=str(stage),
            writes=tuple(spec.writes),
            person=by_name.get(str(stage)),
        )
        for i, (stage, spec) in enumerate(files.items(), start=1)
    )
    return PipelineDiagram(steps)
