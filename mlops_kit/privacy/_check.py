"""The checks the pipeline's data stage runs: the privacy check, and the data check too.

:func:`check_privacy` adds to a scan what the config says about each reported column
(``exclude``, ``privacy.allow``, ``privacy.override``) and refuses a table with any
column left unresolved; :func:`check_data` validates a table against the config's data
keys, then runs the privacy check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..config import PrivacySettings
from ..data import TableProfile, check_table
from ..errors import ConfigError, DataValidationError, PrivacyError, did_you_mean
from ._findings import PrivacyScan, Resolution
from ._scan import scan_table

if TYPE_CHECKING:
    import pandas as pd

    from ..config import DataParams

__all__ = ["check_data", "check_privacy"]


def check_data(
    df: pd.DataFrame, params: DataParams, *, source: str, run_by: str | None = None
) -> tuple[TableProfile, PrivacyScan]:
    """Validate ``df`` against a config's data keys, then scan it for personal data.

    Raises :class:`~mlops_kit.errors.DataValidationError` naming the column and the
    rule, or :class:`~mlops_kit.errors.PrivacyError` naming each identifier column that
    is neither excluded from training, allowed with a reason (``privacy.allow``) nor
    covered by a named person's override (``privacy.override``, who may not be
    ``run_by``); ``source`` names the data in the message.
    """
    profile = check_table(df, params, source=source)
    # Columns never trained on are resolved: the excluded ones, and with an explicit
    # feature list every column outside it, the target and the protected columns.
    used = {*profile.roles.features, params.target, *params.protected}
    never = [c for c in map(str, df.columns) if c not in used]
    scan = check_privacy(df, params.privacy, source=source, exclude=never, run_by=run_by)
    return profile, scan


_HOW_TO_RESOLVE = (
    "Resolve each column before training on this table:\n"
    "  * drop it from the file, or list it under `exclude:` in the config so it is never "
    "used for training;\n"
    "  * if you need it to link records, pseudonymise it with a secret key kept apart from "
    "the data (mlops_kit.privacy.pseudonymise) and still exclude it: a pseudonym is still "
    "personal data;\n"
    "  * if a reviewer has checked that it is not personal data, list it under "
    "`privacy: allow: {COLUMN: REASON}`;\n"
    "  * or a named person overrides the check in writing: "
    "`privacy: override: {by: NAME, reason: TEXT}` (recorded with the run)."
)


def _same_person(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def check_privacy(
    df: pd.DataFrame,
    settings: PrivacySettings | Mapping[str, Any] | None = None,
    *,
    source: str = "the table",
    exclude: Sequence[str] = (),
    run_by: str | None = None,
) -> PrivacyScan:
    """Refuse a table that still holds unresolved personal data; return the scan otherwise.

    A reported column is resolved when ``exclude`` lists it (it is never trained on) or
    ``settings.allow`` gives a reviewer's reason. Anything else stops the run, unless
    ``settings.override`` names the person who decided to go ahead, and why.

    Parameters
    ----------
    df : pandas.DataFrame
    settings : PrivacySettings or mapping, optional
        The config's ``privacy`` section; default the defaults.
    source : str
        How to name the table in messages, such as the file name.
    exclude : sequence of str
        The config's ``exclude`` list: columns never used for training.
    run_by : str, optional
        Who runs the pipeline. An override must come from someone else.

    Returns
    -------
    PrivacyScan
        With each finding's resolution; ``passed`` is True.

    Raises
    ------
    PrivacyError
        Columns are unresolved and nobody overrode the check (the message lists each
        column, what it holds and how to resolve it), or the override comes from the
        person running the pipeline.
    DataValidationError
        ``allow`` names a column the table does not have.
    ConfigError
        The settings break their schema.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"email": ["a@example.org", "b@example.org"], "y": [0, 1]})
    >>> check_privacy(df, exclude=["email"]).status("email")
    (<Resolution.EXCLUDED: 'excluded from training'>, 'listed in exclude: never used for training')
    """
    settings = _privacy_settings(settings)
    names = [str(c) for c in df.columns]
    for column in settings.allow:
        if column not in names:
            raise DataValidationError(
                f"privacy.allow names column '{column}', which {source} does not have; its "
                f"columns are {', '.join(names)}.{did_you_mean(column, names)}",
                column=column,
            )
    scan = scan_table(
        df,
        near_unique_share=settings.near_unique_share,
        min_share=settings.min_share,
        text_share=settings.text_share,
        source=source,
    )
    scan = _resolve(scan, settings, exclude)
    override = settings.override
    if override is not None and run_by is not None and _same_person(override.by, run_by):
        raise PrivacyError(
            f"The privacy override for {source} must come from someone other than the person "
            f"running the pipeline (separation of duties): both are {run_by!r}.",
            columns=tuple(f.column for f in scan.unresolved),
        )
    if scan.passed:
        return scan
    raise _refusal(scan, source)


def _resolve(scan: PrivacyScan, settings: PrivacySettings, exclude: Sequence[str]) -> PrivacyScan:
    """The scan with the config's decisions: allowed and excluded columns, the override."""
    resolutions: dict[str, tuple[Resolution, str]] = {}
    for column, reason in settings.allow.items():
        resolutions[column] = (Resolution.ALLOWED, reason)
    for column in exclude:
        resolutions[str(column)] = (
            Resolution.EXCLUDED,
            "listed in exclude: never used for training",
        )
    override = settings.override
    return replace(
        scan,
        resolutions=resolutions,
        override_by=override.by if override else None,
        override_reason=override.reason if override else None,
    )


def _privacy_settings(settings: PrivacySettings | Mapping[str, Any] | None) -> PrivacySettings:
    """The ``privacy`` section validated: the defaults for None, a mapping checked."""
    if settings is None:
        return PrivacySettings()
    if isinstance(settings, PrivacySettings):
        return settings
    from pydantic import ValidationError

    try:
        return PrivacySettings.model_validate(dict(settings))
    except ValidationError as exc:
        problems = tuple(
            f"privacy.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(
            "The privacy settings break their schema:\n" + "\n".join(problems),
            problems=problems,
        ) from None


def _refusal(scan: PrivacyScan, source: str) -> PrivacyError:
    """The error that refuses a table, listing each unresolved column and how to resolve it."""
    lines = tuple(f.describe() for f in scan.unresolved)
    columns = tuple(dict.fromkeys(f.column for f in scan.unresolved))
    noun = "column holds" if len(columns) == 1 else "columns hold"
    return PrivacyError(
        f"The privacy check refused {source}: {len(columns)} {noun} personal data that "
        "nobody has resolved:\n"
        + "\n".join(f"  - {line}" for line in lines)
        + "\n"
        + _HOW_TO_RESOLVE,
        columns=columns,
        problems=lines,
    )
