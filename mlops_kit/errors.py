"""Exceptions and warnings raised by mlops_kit.

Every error says what went wrong, the rule that was broken and what was received,
so a learner can fix it without reading a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

__all__ = [
    "ApprovalError",
    "ArtefactError",
    "AuditError",
    "ConfigError",
    "DataValidationError",
    "DocumentationError",
    "GateFailedError",
    "GovernanceWarning",
    "MlopsKitError",
    "PipelineError",
    "PrivacyError",
    "did_you_mean",
]


def did_you_mean(name: str, options: Iterable[str]) -> str:
    """A " Did you mean 'x'?" hint for a near-miss name, or an empty string.

    Examples
    --------
    >>> did_you_mean("ethnicity", ["sex", "ethnic_group"])
    " Did you mean 'ethnic_group'?"
    """
    import difflib

    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.5)
    return f" Did you mean '{close[0]}'?" if close else ""


class MlopsKitError(Exception):
    """Base class of every error raised on purpose by mlops_kit."""


class ConfigError(MlopsKitError, ValueError):
    """A pipeline config or parameter breaks the schema.

    Parameters
    ----------
    message : str
        One line per problem, each naming the key, the rule and the value received.
    problems : tuple of str, optional
        The individual problems when there are several.
    """

    def __init__(self, message: str, *, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems or (message,)


class DataValidationError(MlopsKitError, ValueError):
    """A data file or table breaks the schema the pipeline needs.

    Parameters
    ----------
    message : str
        What is wrong, naming the file or column, the rule and what was found.
    column : str or None
        The column at fault, when there is one.
    path : str or None
        The file at fault, when there is one.
    """

    def __init__(self, message: str, *, column: str | None = None, path: str | None = None):
        super().__init__(message)
        self.column = column
        self.path = path


class PrivacyError(DataValidationError):
    """Going ahead would break a privacy rule: personal data left unresolved in a table to
    be trained on, a table exported below its k-anonymity, or a privacy budget overspent.

    Parameters
    ----------
    message : str
        What would break which rule, naming the columns or groups, and how to resolve it.
    columns : tuple of str, optional
        The columns at fault.
    problems : tuple of str, optional
        One line per problem (a column, an offending group, an overspend).
    """

    def __init__(
        self,
        message: str,
        *,
        columns: tuple[str, ...] = (),
        problems: tuple[str, ...] = (),
        path: str | None = None,
    ) -> None:
        super().__init__(message, column=columns[0] if columns else None, path=path)
        self.columns = columns
        self.problems = problems or (message,)


class ArtefactError(MlopsKitError, ValueError):
    """A saved artefact (model, run file) is missing, damaged or not what it claims."""


class AuditError(MlopsKitError, ValueError):
    """An audit entry is invalid, or the audit log is damaged and must not be extended.

    Parameters
    ----------
    message : str
        What is wrong, the rule, and what was received or found.
    kind : str or None
        For a damaged log, the kind of problem (see :class:`AuditVerification`).
    line : int or None
        For a damaged log, the first line at fault, when there is one.
    """

    def __init__(self, message: str, *, kind: str | None = None, line: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.line = line


class ApprovalError(MlopsKitError, ValueError):
    """An approval or override breaks a governance rule.

    Parameters
    ----------
    message : str
        One line per problem, each naming the rule and what was received.
    problems : tuple of str, optional
        The individual problems when there are several.
    """

    def __init__(self, message: str, *, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems or (message,)


class DocumentationError(MlopsKitError, ValueError):
    """A transparency document (model card, record, assessment) is incomplete or invalid.

    A model whose card has empty required parts is registered but cannot be approved
    or promoted; the message names every part and the config key a person must fill in.

    Parameters
    ----------
    message : str
        What is missing or wrong, one line per problem.
    problems : tuple of str, optional
        The individual problems (for a card: the empty parts).
    document : str or None
        Which document: "model card", "transparency record", ...
    """

    def __init__(
        self, message: str, *, problems: tuple[str, ...] = (), document: str | None = None
    ) -> None:
        super().__init__(message)
        self.problems = problems or (message,)
        self.document = document


class GateOutcome(Protocol):
    """What :class:`GateFailedError` needs of a gate decision
    (:class:`mlops_kit.governance.GateDecision` is one); named here so that this module,
    the bottom of the kit, imports nothing of the kit."""

    @property
    def failing_checks(self) -> tuple[Any, ...]:
        """The checks that failed."""

    @property
    def unjudged_checks(self) -> tuple[Any, ...]:
        """The checks that could not be judged."""


class GateFailedError(MlopsKitError):
    """The gate did not promote the model and no named person has signed off.

    Attributes
    ----------
    decision : GateDecision
        The gate's decision.
    failing_checks : tuple of Check
        The checks that failed.
    unjudged_checks : tuple of Check
        The checks that could not be judged from the data.
    """

    def __init__(self, message: str, *, decision: GateOutcome) -> None:
        super().__init__(message)
        self.decision = decision
        self.failing_checks = decision.failing_checks
        self.unjudged_checks = decision.unjudged_checks


class PipelineError(MlopsKitError, RuntimeError):
    """A pipeline stage failed; the run folder is marked failed and earlier runs are intact.

    Parameters
    ----------
    message : str
        Which stage failed and why.
    stage : str
        The stage that failed.
    run_dir : str
        The run folder, marked failed.
    """

    def __init__(self, message: str, *, stage: str, run_dir: str) -> None:
        super().__init__(message)
        self.stage = stage
        self.run_dir = run_dir


class GovernanceWarning(UserWarning):
    """A finding that should be seen and recorded but does not stop a run."""
