"""A static snapshot for every widget, kept in executed notebooks.

papermill, nbconvert and static viewers (GitHub, nbviewer) keep no widget state, so a
displayed widget would otherwise leave only ipywidgets' truncated repr. Each widget adds
a readable text and an HTML snapshot of its current state to its display bundle; a live
JupyterLab still shows the interactive widget, which ranks above both.
"""

from __future__ import annotations

from typing import Any


class StaticSnapshot:
    """Mixin for ipywidgets views: adds ``text/plain`` and ``text/html`` snapshots."""

    def _snapshot_text(self) -> str:
        raise NotImplementedError

    def _snapshot_html(self) -> str:
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        if bundle is None:  # display is off (no front end was ever connected)
            return None
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/plain"] = self._snapshot_text()
        data["text/html"] = self._snapshot_html()
        return bundle
