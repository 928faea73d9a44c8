"""The manifest: everything needed to trace and repeat a run, and what MLflow is told
about it (flattened parameters and metrics, the model's explicit environment)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .._io import read_json
from .._resources import repo_root

MANIFEST_PACKAGES = (
    "mlops-kit",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "skops",
    "fairlearn",
    "optuna",
    "mlflow",
    "papermill",
)


def _package_versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for name in MANIFEST_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def code_version(root: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The code's version: the git commit and whether the working tree has changes.

    Returns ``{"commit": ..., "dirty": bool, "label": ...}`` where ``label`` is the
    commit, ``"<commit>-dirty"`` when tracked files changed since it, or
    ``"unknown (not a git checkout)"`` for an installed kit.
    """
    folder = Path(root) if root is not None else repo_root()
    if folder is None:
        return {"commit": None, "dirty": None, "label": "unknown (not a git checkout)"}

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=folder, capture_output=True, text=True, timeout=10, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    commit = git("rev-parse", "HEAD")
    if not commit:
        return {"commit": None, "dirty": None, "label": "unknown (not a git checkout)"}
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    return {"commit": commit, "dirty": dirty, "label": commit + ("-dirty" if dirty else "")}


def build_manifest(run_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """Everything needed to trace and repeat a run, from the files in its folder.

    Code version (from ``run.json``, captured when the run started), Python and package
    versions, the data file and its SHA-256, seeds, tuning settings and results, and
    the whole config.
    """
    import yaml

    folder = Path(run_dir)
    context = read_json(folder / "run.json") if (folder / "run.json").is_file() else {}
    dataset = read_json(folder / "dataset.json")
    training = read_json(folder / "training.json")
    tuning = read_json(folder / "tuning.json") if (folder / "tuning.json").is_file() else None
    config = (
        yaml.safe_load((folder / "config.yml").read_text(encoding="utf-8"))
        if (folder / "config.yml").is_file()
        else None
    )
    return {
        "run_id": context.get("run_id", folder.name),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_version": context.get("code_version") or code_version(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": _package_versions(),
        "data": {"path": dataset["path"], "sha256": dataset["sha256"]},
        "seeds": {"seed": training["seed"]},
        "model": {"family": training["model"], "tuned_params": training.get("tuned_params")},
        "tuning": tuning,
        "trained_by": context.get("trained_by"),
        "config": config,
    }


def _pip_requirements() -> list[str]:
    versions = _package_versions()
    return [
        f"{name}=={version}"
        for name, version in versions.items()
        if version != "not installed"
        and name in ("scikit-learn", "skops", "numpy", "pandas", "scipy")
    ]


def _flat_metrics(metrics: Mapping[str, Any]) -> dict[str, float]:
    """Overall numeric metrics and each attribute's disparity figures, for MLflow."""
    out = {
        k: float(v)
        for k, v in metrics.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }
    for attr, f in metrics.get("fairness", {}).items():
        for key in (
            "demographic_parity_difference",
            "demographic_parity_ratio",
            "equalized_odds_difference",
            "equalized_odds_ratio",
        ):
            value = f.get(key)
            if isinstance(value, int | float):
                out[f"fairness.{attr}.{key}"] = float(value)
    return out


def _flat_params(config: Mapping[str, Any] | None, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (config or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out |= _flat_params(value, prefix=f"{name}.")
        else:
            out[name] = json.dumps(value, default=str) if not isinstance(value, str) else value
    return {k: v[:6000] for k, v in out.items()}


def _conda_env() -> dict[str, Any]:
    """The model's environment, given in full so MLflow infers nothing (inference is slow
    and, in a uv-made environment without pip, warns that pip's version is unknown)."""
    return {
        "name": "mlops-kit-model",
        "channels": ["conda-forge"],
        "dependencies": [
            f"python={platform.python_version()}",
            "pip",
            {"pip": _pip_requirements()},
        ],
    }
