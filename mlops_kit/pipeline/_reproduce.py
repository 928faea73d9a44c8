"""Re-run a recorded run from its manifest and check that every metric is the same."""

from __future__ import annotations

import html
import math
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._io import read_json, sha256_file
from ..config import PipelineConfig, validate_params
from ..errors import ArtefactError, DataValidationError
from ._runner import run_pipeline

__all__ = ["Reproduction", "find_run_dir", "reproduce"]


@dataclass(frozen=True)
class Reproduction:
    """The outcome of re-running a recorded run."""

    original: Path
    rerun: Path
    compared: int
    differences: tuple[tuple[str, Any, Any], ...]
    code_then: str
    code_now: str

    @property
    def matched(self) -> bool:
        """True when every metric is exactly equal."""
        return not self.differences

    def summary(self) -> str:
        """The result in plain words."""
        if self.matched:
            head = (
                f"Reproduced exactly: all {self.compared} metrics of run {self.original.name} "
                f"are identical in the re-run {self.rerun.name}."
            )
        else:
            shown = "; ".join(f"{k}: {a!r} then, {b!r} now" for k, a, b in self.differences[:5])
            head = (
                f"Not reproduced: {len(self.differences)} of {self.compared} metrics differ "
                f"between run {self.original.name} and the re-run {self.rerun.name} ({shown})."
            )
        if self.code_then != self.code_now:
            head += (
                f" The code has changed since the run: {self.code_then} then, {self.code_now} now."
            )
        return head

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.summary())}</p>"


def _leaves(obj: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every number, string and boolean in a JSON tree, by its path."""
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            yield from _leaves(value, f"{prefix}{key}.")
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _leaves(value, f"{prefix}{i}.")
    else:
        yield prefix.rstrip("."), obj


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b) and type(a) is type(b)


def find_run_dir(run: str | os.PathLike[str], runs_dir: str | os.PathLike[str] = "runs") -> Path:
    """A run folder from its path, its run id, or a unique prefix of its run id."""
    path = Path(run)
    if path.is_dir():
        return path.resolve()
    folder = Path(runs_dir)
    matches = sorted(p for p in folder.glob(f"{run}*") if p.is_dir()) if folder.is_dir() else []
    if len(matches) == 1:
        return matches[0].resolve()
    if not matches:
        raise ArtefactError(f"No run '{run}' was found (looked for a folder, and in {folder}).")
    raise ArtefactError(
        f"Run '{run}' is ambiguous in {folder}: {', '.join(p.name for p in matches[:5])}."
    )


def reproduce(
    run: str | os.PathLike[str],
    *,
    runs_dir: str | os.PathLike[str] = "runs",
    progress: Callable[[str], None] | None = None,
) -> Reproduction:
    """Re-run a recorded run from its manifest and compare every metric exactly.

    The manifest (``manifest.json``, written when the run was registered) holds the whole
    config, the data's SHA-256 and the code version. The data file must be unchanged;
    the re-run goes to a new run folder and is not registered. A tuning study in a shared
    storage is not reused: the search is repeated from scratch, in memory.

    Raises
    ------
    ArtefactError
        No such run, or it has no manifest (it was never registered).
    DataValidationError
        The data file changed since the run.
    """
    from ..registry import code_version

    original = find_run_dir(run, runs_dir)
    manifest_file = original / "manifest.json"
    if not manifest_file.is_file():
        raise ArtefactError(
            f"Run {original.name} has no manifest.json, so it cannot be reproduced: only "
            "registered runs carry one."
        )
    manifest = read_json(manifest_file)
    config: PipelineConfig = validate_params(manifest["config"], source="manifest")
    data = manifest["data"]
    if not Path(data["path"]).is_file():
        raise DataValidationError(f"The run's data file {data['path']} is gone.", path=data["path"])
    digest = sha256_file(data["path"])
    if digest != data["sha256"]:
        raise DataValidationError(
            f"The run's data file {data['path']} has changed since the run (SHA-256 was "
            f"{data['sha256'][:12]}..., is now {digest[:12]}...), so the run cannot be "
            "reproduced from it.",
            path=data["path"],
        )
    tuning = config.tuning.model_copy(update={"storage": None, "study_name": None})
    config = config.model_copy(update={"tuning": tuning})
    result = run_pipeline(config, runs_dir=runs_dir, register=False, progress=progress)
    then = dict(_leaves(read_json(original / "metrics.json")))
    now = dict(_leaves(read_json(result.run_dir / "metrics.json")))
    differences = tuple(
        (key, then.get(key), now.get(key))
        for key in sorted(set(then) | set(now))
        if not _same(then.get(key), now.get(key))
    )
    return Reproduction(
        original=original,
        rerun=result.run_dir,
        compared=len(set(then) | set(now)),
        differences=differences,
        code_then=manifest["code_version"]["label"],
        code_now=code_version()["label"],
    )
