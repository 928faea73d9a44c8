"""Read a run folder's decisions back as the kit's own records, which display well.

A novice checking a run need not open raw JSON: :func:`read_gate` turns ``gate.json``
into the :class:`~mlops_kit.governance.GateDecision` it was written from, which shows
as a table of checks with each result in words.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .._io import read_json
from ..errors import ArtefactError
from ._folder import GATE_FILE, resolve_run_dir

if TYPE_CHECKING:
    from ..governance import GateDecision

__all__ = ["read_gate"]


def read_gate(run_dir: str | os.PathLike[str]) -> GateDecision:
    """The gate's decision recorded in a run folder's ``gate.json``.

    Parameters
    ----------
    run_dir : path-like
        The run folder.

    Returns
    -------
    GateDecision
        Displays as the decision, its reasons and a table of every check.

    Raises
    ------
    ArtefactError
        When the run folder has no ``gate.json`` (the gate stage has not run) or the
        file is damaged.
    """
    from ..governance import GateDecision

    folder = resolve_run_dir(run_dir)
    path = folder / GATE_FILE
    if not path.is_file():
        raise ArtefactError(
            f"read_gate needs '{GATE_FILE}' in the run folder {folder}, written by the gate "
            "stage; it is missing. Run the pipeline (or the stages) up to the gate first."
        )
    try:
        data = read_json(path)
    except ValueError as exc:  # not JSON, or not UTF-8
        raise ArtefactError(
            f"The gate's record {path} is damaged: it is not JSON ({exc})."
        ) from None
    if not isinstance(data, dict):
        raise ArtefactError(
            f"The gate's record {path} is damaged: it must hold a JSON object. "
            f"Got a {type(data).__name__} instead."
        )
    return GateDecision.from_dict(data)
