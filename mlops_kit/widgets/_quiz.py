"""Matching quiz: the keyboard alternative to a drag-and-drop matching exercise.

The model is :func:`grade_matching`, which marks answers against
:class:`QuizItem` records and returns a frozen :class:`QuizResult`; the view is
:class:`MatchingQuiz`, one dropdown per item and a "Check answers" button.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import ipywidgets as widgets

from ..errors import ConfigError
from ._static import StaticSnapshot

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "METRIC_OPTIONS",
    "METRIC_SCENARIOS",
    "PIPELINE_COMPONENTS",
    "PIPELINE_COMPONENT_OPTIONS",
    "MarkedAnswer",
    "MatchingQuiz",
    "QuizItem",
    "QuizResult",
    "grade_matching",
]

NOT_ANSWERED = "Not answered yet."
PLACEHOLDER = "Choose..."


@dataclass(frozen=True)
class QuizItem:
    """One thing to match: a prompt, its right answer and what to say about it.

    Parameters
    ----------
    prompt : str
        The scenario or question; unique within a quiz.
    answer : str
        The right option.
    explanation : str
        Why it is right, in one or two sentences.
    feedback : dict of str to str, optional
        A message for a specific wrong option (the tempting mistakes), written to
        follow "Not quite: ".
    """

    prompt: str
    answer: str
    explanation: str
    feedback: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("prompt", "answer", "explanation"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(
                    f"The '{name}' field of QuizItem must be a non-empty string. "
                    f"Got {value!r} instead."
                )
        if self.answer in self.feedback:
            raise ConfigError(
                "The 'feedback' field of QuizItem must only hold messages for wrong options. "
                f"Got a message for the right answer {self.answer!r} instead."
            )


class MarkedAnswer(NamedTuple):
    """How one item was answered: the prompt, the answer given, whether it was right, why."""

    prompt: str
    given: str | None
    correct: bool
    message: str


@dataclass(frozen=True)
class QuizResult:
    """The marks of one attempt at a quiz.

    Attributes
    ----------
    score : int
        Number of items answered correctly.
    total : int
        Number of items.
    items : tuple of MarkedAnswer
        One ``(prompt, given, correct, message)`` per item, in quiz order.
    """

    score: int
    total: int
    items: tuple[MarkedAnswer, ...]

    @property
    def unanswered(self) -> int:
        """Number of items without an answer."""
        return sum(item.given is None for item in self.items)

    def summary(self) -> str:
        """The score in words, such as '3 of 5 correct.'

        Examples
        --------
        >>> items = [QuizItem("2 + 2", "4", "Two and two make four."),
        ...          QuizItem("3 + 3", "6", "Three and three make six.")]
        >>> grade_matching({"2 + 2": "4"}, items).summary()
        '1 of 2 correct. 1 not answered yet.'
        """
        text = f"{self.score} of {self.total} correct."
        if self.unanswered:
            text += f" {self.unanswered} not answered yet."
        return text

    def to_frame(self) -> pd.DataFrame:
        """One row per item: prompt, given, correct, message."""
        import pandas as pd

        return pd.DataFrame(
            [item._asdict() for item in self.items],
            columns=["prompt", "given", "correct", "message"],
        )

    def to_dict(self) -> dict[str, Any]:
        """Score, total and the marked items as plain dicts."""
        return {
            "score": self.score,
            "total": self.total,
            "items": [item._asdict() for item in self.items],
        }

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<li>{html.escape(item.prompt)}<br>Your answer: "
            f"{html.escape(item.given or 'none')}. {html.escape(_with_symbol(item))}</li>"
            for item in self.items
        )
        return f"<p>{html.escape(self.summary())}</p><ol>{rows}</ol>"


def _with_symbol(item: MarkedAnswer) -> str:
    """The message, with a symbol as well as the words for a marked answer."""
    if item.given is None:
        return item.message
    return f"{'✓' if item.correct else '✗'} {item.message}"


def _check_items(items: Sequence[QuizItem], where: str) -> tuple[QuizItem, ...]:
    items = tuple(items)
    if not items:
        raise ConfigError(f"The 'items' parameter of {where} must hold at least one QuizItem.")
    wrong = [type(i).__name__ for i in items if not isinstance(i, QuizItem)]
    if wrong:
        raise ConfigError(
            f"The 'items' parameter of {where} must hold QuizItem records. "
            f"Got {', '.join(sorted(set(wrong)))} instead."
        )
    prompts = [i.prompt for i in items]
    repeated = sorted({p for p in prompts if prompts.count(p) > 1})
    if repeated:
        raise ConfigError(
            f"The 'items' parameter of {where} must have a different prompt for each item. "
            f"Got {repeated} more than once instead."
        )
    return items


def grade_matching(answers: Mapping[str, str | None], items: Sequence[QuizItem]) -> QuizResult:
    """Mark a matching exercise.

    Parameters
    ----------
    answers : mapping of prompt to option (or None)
        The option chosen for each item's prompt; a missing prompt or ``None`` is
        unanswered.
    items : sequence of QuizItem
        The items, in the order to report them.

    Returns
    -------
    QuizResult
        Unanswered items count as wrong with the message "Not answered yet.". A right
        answer's message starts "Correct."; a wrong one starts "Not quite: " and gives
        the item's specific feedback for that option, or else the explanation.

    Raises
    ------
    ConfigError
        When ``answers`` names a prompt that is not among the items, or the items
        are empty or share a prompt.

    Examples
    --------
    >>> items = [QuizItem("Rare fraud, few investigators", "precision",
    ...                   "Precision counts how many flags are right.",
    ...                   feedback={"accuracy": "fraud is rare, so accuracy stays high."}),
    ...          QuizItem("Missed surges are dangerous", "recall",
    ...                   "Recall counts how many surges are caught.")]
    >>> result = grade_matching({"Rare fraud, few investigators": "accuracy"}, items)
    >>> result.score, result.total
    (0, 2)
    >>> [item.message for item in result.items]
    ['Not quite: fraud is rare, so accuracy stays high.', 'Not answered yet.']
    """
    items = _check_items(items, "grade_matching")
    known = {item.prompt for item in items}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise ConfigError(
            "The 'answers' parameter of grade_matching must be keyed by the items' prompts. "
            f"Got unknown prompt(s) {unknown} instead."
        )
    marked = []
    for item in items:
        given = answers.get(item.prompt)
        if given is None:
            marked.append(MarkedAnswer(item.prompt, None, False, NOT_ANSWERED))
        elif given == item.answer:
            marked.append(MarkedAnswer(item.prompt, given, True, f"Correct. {item.explanation}"))
        elif given in item.feedback:
            marked.append(
                MarkedAnswer(item.prompt, given, False, f"Not quite: {item.feedback[given]}")
            )
        else:
            message = f"Not quite: {given} is not the best fit here. {item.explanation}"
            marked.append(MarkedAnswer(item.prompt, given, False, message))
    return QuizResult(score=sum(m.correct for m in marked), total=len(marked), items=tuple(marked))


class MatchingQuiz(StaticSnapshot, widgets.VBox):
    """Match each prompt to an option with dropdowns, then check the answers.

    Everything works with the keyboard: Tab moves between the dropdowns and the
    button, Alt+Down opens a list (in JupyterLab the arrow keys alone move between
    cells), typing or the arrow keys choose an option, Enter or Space presses the button.
    Each prompt is written above its dropdown, which is labelled "Answer 1",
    "Answer 2", ... for screen readers; feedback is given in words.

    Parameters
    ----------
    items : sequence of QuizItem
    options : sequence of str, optional
        The options offered in every dropdown, in this order; they must include
        every item's answer. Default: the items' answers and the wrong options
        their specific feedback is written for, sorted.
    title : str
        Shown as the quiz's heading.

    Attributes
    ----------
    dropdowns : tuple of ipywidgets.Dropdown
        One per item, in order; each starts on the placeholder "Choose..." (``None``).
    check_button : ipywidgets.Button
        The "Check answers" button.
    value : dict of str to str or None
        The current choices, keyed by prompt.
    result : QuizResult or None
        The marks of the last check; ``None`` before the first.

    Examples
    --------
    >>> quiz = MatchingQuiz([QuizItem("2 + 2", "4", "Two and two make four."),
    ...                      QuizItem("3 + 3", "6", "Three and three make six.")])
    >>> quiz.dropdowns[0].value = "4"
    >>> quiz.dropdowns[1].value = "4"
    >>> quiz.check_button.click()
    >>> quiz.result.summary()
    '1 of 2 correct.'
    """

    def __init__(
        self,
        items: Sequence[QuizItem],
        *,
        options: Sequence[str] | None = None,
        title: str = "Match each item to its best answer",
    ) -> None:
        self._items = _check_items(items, "MatchingQuiz")
        answers = {item.answer for item in self._items}
        if options is None:
            tempting = {option for item in self._items for option in item.feedback}
            choices = sorted(answers | tempting, key=str.casefold)
        else:
            if isinstance(options, str):
                raise ConfigError(
                    "The 'options' parameter of MatchingQuiz must be a sequence of strings. "
                    f"Got the single string {options!r} instead."
                )
            choices = list(dict.fromkeys(str(o) for o in options))
            missing = sorted(answers - set(choices))
            if missing:
                raise ConfigError(
                    "The 'options' parameter of MatchingQuiz must include every item's answer. "
                    f"Got options without {missing} instead."
                )
        self._choices = tuple(choices)
        self._result: QuizResult | None = None

        heading = widgets.HTML(value=f"<h3>{html.escape(title)}</h3>")
        heading.add_class("mlops-quiz-title")
        instructions = widgets.HTML(
            value=(
                "<p>Choose an answer for each item (Tab moves between them; Alt+Down opens a "
                "list, then type an answer's first letters or use the arrow keys, and Enter "
                "chooses), then press <em>Check answers</em>.</p>"
            )
        )
        rows: list[widgets.VBox] = []
        dropdowns: list[widgets.Dropdown] = []
        self._feedback: list[widgets.HTML] = []
        for number, item in enumerate(self._items, start=1):
            prompt = widgets.HTML(
                value=f"<p><strong>{number}.</strong> {html.escape(item.prompt)}</p>"
            )
            dropdown = widgets.Dropdown(
                options=[(PLACEHOLDER, None), *[(c, c) for c in choices]],
                value=None,
                description=f"Answer {number}",
                description_allow_html=False,
                style={"description_width": "initial"},
            )
            feedback = widgets.HTML(value="")
            prompt.add_class("mlops-quiz-prompt")
            dropdown.add_class("mlops-quiz-answer")
            feedback.add_class("mlops-quiz-feedback")
            dropdown.observe(self._on_answer_change(number - 1), names="value")
            row = widgets.VBox(children=[prompt, dropdown, feedback])
            row.add_class("mlops-quiz-item")
            rows.append(row)
            dropdowns.append(dropdown)
            self._feedback.append(feedback)
        self._dropdowns = tuple(dropdowns)
        self._check_button = widgets.Button(
            description="Check answers",
            tooltip="Mark your answers and show feedback",
            icon="check",
            button_style="primary",
        )
        self._check_button.add_class("mlops-quiz-check")
        self._check_button.on_click(lambda _button: self.check())
        self._score = widgets.HTML(value="")
        self._score.add_class("mlops-quiz-score")
        super().__init__(children=[heading, instructions, *rows, self._check_button, self._score])
        self.add_class("mlops-matching-quiz")

    @property
    def dropdowns(self) -> tuple[widgets.Dropdown, ...]:
        """One dropdown per item, in order."""
        return self._dropdowns

    @property
    def check_button(self) -> widgets.Button:
        """The "Check answers" button."""
        return self._check_button

    @property
    def value(self) -> dict[str, str | None]:
        """The current choices, keyed by prompt (``None`` where nothing is chosen)."""
        return {item.prompt: d.value for item, d in zip(self._items, self._dropdowns, strict=True)}

    @property
    def result(self) -> QuizResult | None:
        """The marks of the last check, or ``None`` before the first."""
        return self._result

    def check(self) -> QuizResult:
        """Mark the current choices, show the feedback and return the result."""
        result = grade_matching(self.value, self._items)
        for marked, box in zip(result.items, self._feedback, strict=True):
            box.value = f"<p>{html.escape(_with_symbol(marked))}</p>"
        self._score.value = f"<p><strong>{html.escape(result.summary())}</strong></p>"
        self._result = result
        return result

    def _on_answer_change(self, index: int) -> Callable[[Any], None]:
        def clear(_change: Any) -> None:
            # Feedback about an answer that has since changed would mislead.
            self._feedback[index].value = ""

        return clear

    def _snapshot_text(self) -> str:
        lines = [f"Quiz, {len(self._items)} items:"]
        lines += [f"{i}. {item.prompt}" for i, item in enumerate(self._items, start=1)]
        lines.append(f"Choose from: {', '.join(self._choices)}.")
        if self._result is not None:
            lines.append(self._result.summary())
        return "\n".join(lines)

    def _snapshot_html(self) -> str:
        items = "".join(f"<li>{html.escape(item.prompt)}</li>" for item in self._items)
        score = f"<p>{html.escape(self._result.summary())}</p>" if self._result else ""
        return (
            f"<ol class='mlops-quiz-snapshot'>{items}</ol>"
            f"<p>Choose from: {html.escape(', '.join(self._choices))}.</p>{score}"
        )


#: The options of the metrics quiz (with accuracy as the tempting distractor).
METRIC_OPTIONS: tuple[str, ...] = (
    "accuracy",
    "precision",
    "recall",
    "F1",
    "ROC AUC",
    "mean squared error",
    "four-fifths rule (fairness)",
)

_ACCURACY_ON_RARE = (
    "accuracy is high whenever the rare outcome is rare, even for a model that never "
    "flags anything, so it says nothing about the cases that matter here."
)

#: Public-sector scenarios for the metrics lesson, each matched to the metric that fits it.
METRIC_SCENARIOS: tuple[QuizItem, ...] = (
    QuizItem(
        prompt=(
            "A benefits fraud team can investigate only 40 claims a week, and every claim "
            "the model flags means a stressful interview for the claimant."
        ),
        answer="precision",
        explanation=(
            "Precision is the share of flagged claims that really are fraud or error: high "
            "precision means few honest claimants are interviewed and scarce investigator "
            "time is not wasted."
        ),
        feedback={
            "accuracy": "fraud is rare, so a model that flags nobody is still over 95% "
            "accurate. Accuracy hides how many flagged claimants were honest.",
            "recall": "recall counts how much fraud is caught, but the team can only look at "
            "40 claims anyway. What matters is how many of those 40 flags are right.",
        },
    ),
    QuizItem(
        prompt=(
            "An NHS trust wants an early warning of a surge in hospital admissions. Missing "
            "a real surge could put lives at risk; a false alarm costs a planning meeting."
        ),
        answer="recall",
        explanation=(
            "Recall is the share of real surges that the warning catches. When a miss is "
            "far more costly than a false alarm, keep recall high and accept some false "
            "alarms."
        ),
        feedback={
            "accuracy": _ACCURACY_ON_RARE,
            "precision": "precision counts how many warnings were real surges. Here a false "
            "alarm is cheap and a miss is dangerous, so the misses (recall) matter more.",
        },
    ),
    QuizItem(
        prompt=(
            "A public health agency forecasts the number of hospital admissions each week "
            "so that staff rotas can be planned."
        ),
        answer="mean squared error",
        explanation=(
            "A forecast is a number, not a yes or no, so it needs a regression metric: mean "
            "squared error (or its square root, RMSE, in admissions) measures how far the "
            "forecasts are from what happened and punishes large misses most."
        ),
        feedback={
            "accuracy": "accuracy counts right or wrong labels, but a forecast of 412 "
            "admissions when 410 arrive is close, not wrong. A number needs an error measure "
            "such as mean squared error.",
        },
    ),
    QuizItem(
        prompt=(
            "Two suppliers offer models that rank council tax accounts by their risk of "
            "falling into arrears. No threshold has been agreed yet, and you want to know "
            "which model ranks the accounts better overall."
        ),
        answer="ROC AUC",
        explanation=(
            "ROC AUC is the chance that a randomly chosen account that falls into arrears is "
            "ranked above one that does not, over every threshold, so it compares rankings "
            "before a threshold is chosen."
        ),
        feedback={
            "F1": "F1 depends on the threshold, and none has been agreed. ROC AUC compares "
            "how well the two models rank accounts at every threshold.",
            "accuracy": "accuracy needs a threshold, and none has been agreed. ROC AUC "
            "compares how well the two models rank accounts at every threshold.",
        },
    ),
    QuizItem(
        prompt=(
            "An internal review of a fraud-risk model asks whether claimants from one "
            "ethnic group are flagged far more often than claimants from other groups."
        ),
        answer="four-fifths rule (fairness)",
        explanation=(
            "The four-fifths rule compares how often each group is flagged: if the "
            "least-flagged group's rate is below four-fifths (80%) of another group's, the "
            "difference must be investigated and justified."
        ),
        feedback={
            "precision": "overall precision can be high while one group receives far more "
            "of the flags. Compare the groups' flag rates with the four-fifths rule.",
            "accuracy": "overall accuracy can look good while one group receives far more of "
            "the flags. Compare the groups' flag rates with the four-fifths rule.",
        },
    ),
    QuizItem(
        prompt=(
            "A council checks housing benefit applications for errors. Missed errors cost "
            "public money and needless reviews cost staff time, so the team wants one number "
            "that is high only when both are kept low."
        ),
        answer="F1",
        explanation=(
            "F1 is the harmonic mean of precision and recall, so it is high only when few "
            "errors are missed (recall) and few reviews are wasted (precision)."
        ),
        feedback={
            "accuracy": "errors are rare, so accuracy stays high even when most of them are "
            "missed. F1 ignores the many easy correct applications and balances precision "
            "and recall.",
        },
    ),
)


#: The options of the Explore lesson's quiz: the nine stages and the parts around them.
PIPELINE_COMPONENT_OPTIONS: tuple[str, ...] = (
    "validate stage",
    "tune stage",
    "train stage",
    "evaluate stage",
    "explain stage",
    "gate stage",
    "register stage",
    "monitor stage",
    "report stage",
    "the runner (run_pipeline)",
    "the continuous-training replay (simulate)",
    "the stages, each appending its own entries",
)

#: Artefacts of a pipeline run and a replay, each matched to the part that writes it.
PIPELINE_COMPONENTS: tuple[QuizItem, ...] = (
    QuizItem(
        prompt="dataset.json: the data file's SHA-256 and what the personal-data scan found.",
        answer="validate stage",
        explanation=(
            "The validate stage checks the data before anything is trained: the target, "
            "what each column is for, personal data, and the file's fingerprint, which later "
            "stages check so that nobody trains on a file that changed."
        ),
        feedback={
            "train stage": "the train stage reads dataset.json, but the checks are done "
            "before it, by the first stage, so that a bad file stops the run early.",
        },
    ),
    QuizItem(
        prompt="predictions.csv: the held-out rows with their scores and predictions.",
        answer="train stage",
        explanation=(
            "The train stage splits the data, fits the model and scores the held-out rows; "
            "the evaluate, explain and monitor stages work from this file."
        ),
        feedback={
            "evaluate stage": "the evaluate stage reads predictions.csv to compute the "
            "metrics; the stage that made the predictions is the one that had the model.",
        },
    ),
    QuizItem(
        prompt="explanations.json: the reason codes of the highest-scoring cases.",
        answer="explain stage",
        explanation=(
            "The explain stage computes SHAP values for the held-out rows and turns the "
            "largest of them into reasons a caseworker or a claimant could follow."
        ),
        feedback={
            "evaluate stage": "the evaluate stage measures how good the model is; why it "
            "scored a case as it did is the next stage's job.",
            "report stage": "the report shows the reason codes, but only gathers what "
            "earlier stages wrote.",
        },
    ),
    QuizItem(
        prompt="gate.json: promote, refuse or needs human approval, with every check.",
        answer="gate stage",
        explanation=(
            "The governance gate applies the written policy (performance floors, fairness "
            "limits, high impact) to metrics.json and records its decision and reasons."
        ),
        feedback={
            "register stage": "the register stage acts on the decision (which alias the "
            "version gets), but the decision is made, and written, before it.",
        },
    ),
    QuizItem(
        prompt="registration.json and model_card.md: the model version and its card.",
        answer="register stage",
        explanation=(
            "The register stage drafts the model card and transparency record, records the "
            "run in MLflow and registers the model as a new, numbered version."
        ),
        feedback={
            "gate stage": "the gate decides; the registry records. A refused model is "
            "still registered, so that it stays traceable.",
            "report stage": "the report comes last and shows the card, but the card is "
            "written, and checked for empty parts, before anything is registered.",
        },
    ),
    QuizItem(
        prompt="monitoring.json: drifted features and alerts, each with its action.",
        answer="monitor stage",
        explanation=(
            "The monitor stage compares new rows with the training rows (data drift, "
            "prediction drift, performance, fairness) and says what each alert calls for."
        ),
        feedback={
            "the continuous-training replay (simulate)": "the replay monitors every month "
            "too, but writes its own timeline; monitoring.json belongs to one pipeline run.",
        },
    ),
    QuizItem(
        prompt="audit/audit.jsonl: one hash-chained line per step, naming who did it.",
        answer="the stages, each appending its own entries",
        explanation=(
            "Each stage appends its own entry (data_loaded, tuned, trained, evaluated, "
            "explained, gate_decision, registered, monitored), and so do sign-offs and the "
            "replay, so the log tells the whole story in order."
        ),
        feedback={
            "register stage": "the register stage adds 'registered', but every stage "
            "before and after it appends its own entry too.",
            "the runner (run_pipeline)": "the runner adds an entry only when a stage fails; "
            "the stages themselves record what they did.",
        },
    ),
    QuizItem(
        prompt="timeline.json: one row per month with triggers, challengers and promotions.",
        answer="the continuous-training replay (simulate)",
        explanation=(
            "The replay runs the stages again month after month: it monitors, retrains a "
            "challenger when a trigger fires, gates and compares it, and writes each "
            "month's decision to the timeline."
        ),
        feedback={
            "monitor stage": "the monitor stage judges one run's new rows; deciding month "
            "by month whether to retrain and promote is the replay's loop.",
        },
    ),
    QuizItem(
        prompt="status.json: running, succeeded or failed, with the stage that failed.",
        answer="the runner (run_pipeline)",
        explanation=(
            "The runner creates the run folder, executes each stage notebook with "
            "papermill and keeps status.json up to date, so a failed run is marked as "
            "failed with the stage and the error."
        ),
        feedback={
            "report stage": "the report is written only if every stage before it "
            "succeeded; a failed run still needs its status recorded.",
        },
    ),
)
