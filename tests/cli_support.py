"""Running the ``mlops-kit`` command as an analyst does: a subprocess in a working folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def mlops_kit(*args: str, cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    """Run ``mlops-kit ARGS`` from this environment in ``cwd``; never raises on exit status."""
    exe = Path(sys.executable).with_name("mlops-kit")
    return subprocess.run(
        [str(exe), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
