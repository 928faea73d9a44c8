"""The public API page: generated from each package's ``__all__``, complete and current."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

from mlops_kit._api_reference import PUBLIC_PACKAGES, api_reference_markdown
from mlops_kit._reference import render_generated_blocks

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "docs" / "api.md"
#: Public modules that are not part of the API page: the command line is documented by
#: its own ``--help`` and the README.
NOT_ON_THE_PAGE = {"cli"}


def _public_modules_on_disk() -> set[str]:
    """Every public package or module of mlops_kit, found on the file system."""
    root = REPO / "mlops_kit"
    packages = {p.parent.name for p in root.glob("*/__init__.py")}
    modules = {p.stem for p in root.glob("*.py") if p.stem != "__init__"}
    return {n for n in packages | modules if not n.startswith("_")}


def test_every_public_module_is_on_the_page() -> None:
    assert set(PUBLIC_PACKAGES) == _public_modules_on_disk() - NOT_ON_THE_PAGE


def test_the_committed_page_is_up_to_date() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert render_generated_blocks(text, source="docs/api.md") == text, (
        "docs/api.md is out of date with the packages' __all__; run "
        "`python -m mlops_kit._reference docs/analyst.md docs/api.md` and commit the result."
    )


@pytest.mark.parametrize("package", PUBLIC_PACKAGES)
def test_every_exported_name_is_public_documented_and_listed(package: str) -> None:
    module = importlib.import_module(f"mlops_kit.{package}")
    names = list(module.__all__)
    assert names, f"mlops_kit.{package} exports nothing"
    assert len(names) == len(set(names)), f"mlops_kit.{package}.__all__ repeats a name"
    page = api_reference_markdown((package,))
    rows = dict(re.findall(r"^\| `([A-Za-z_][A-Za-z0-9_]*)[^`]*` \| (.*) \|$", page, re.M))
    assert sorted(rows) == sorted(names)
    for name in names:
        assert not name.startswith("_"), f"mlops_kit.{package} exports private name {name}"
        value = getattr(module, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), f"mlops_kit.{package}.{name} has no docstring"
        assert rows[name], f"mlops_kit.{package}.{name} has an empty description"
        assert not rows[name].startswith("a "), (
            f"mlops_kit.{package}.{name} is not described (a docstring, or a '#:' comment "
            f"above a constant); the page says {rows[name]!r}"
        )


def test_signatures_and_descriptions_come_from_the_code() -> None:
    page = api_reference_markdown(("config",))
    # load_config(path=None, overrides=(), **values): a default is shown as '…'.
    assert "| `load_config(path=…, overrides=…, **values)` | Read, override and validate" in page
    assert "| `MODELS_FOR_TASK` |" in page
