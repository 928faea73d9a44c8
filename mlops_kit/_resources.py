"""Locate files the kit ships: bundled datasets, example configs and stage notebooks.

In a source checkout (the workbook, or an editable install) they live in the
repository's ``data/`` and ``notebooks/pipeline/`` folders. A built wheel carries
copies of both under ``mlops_kit/_bundled/`` (see ``pyproject.toml``).
"""

from __future__ import annotations

from pathlib import Path

from .errors import MlopsKitError

__all__ = ["repo_root", "resource_path"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def repo_root() -> Path | None:
    """Return the source checkout holding this package, or None for an installed wheel."""
    root = _PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() and (root / "data").is_dir() else None


def resource_path(relative: str) -> Path:
    """Return the path of a shipped file such as ``"data/benefit_claims.csv"``.

    Raises
    ------
    MlopsKitError
        When neither the wheel's bundled copy nor the source checkout has the file.
    """
    candidates = [_PACKAGE_DIR / "_bundled" / relative]
    root = repo_root()
    if root is not None:
        candidates.insert(0, root / relative)
    for candidate in candidates:
        if candidate.exists():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise MlopsKitError(
        f"The kit's file '{relative}' is missing: looked in {tried}. "
        "Reinstall mlops-kit or restore the file from git."
    )
