"""`import mlops_kit` is lazy, and every module it promises resolves as `mk.<name>`.

The modules are found independently of the package's own registry: from the package
docstring's "Modules:" paragraph and from the file system, so a new module folder that
is not registered for lazy loading fails here. Each check runs in a fresh interpreter,
where nothing has imported the submodule yet (in this process another test may have).
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "mlops_kit"

# Libraries that `import mlops_kit` must leave unloaded (they load inside the functions).
HEAVY = ("numpy", "pandas", "sklearn")


def _docstring_modules() -> list[str]:
    """The names in the package docstring's "Modules: ``data``, ``config``, ..." paragraph."""
    docstring = ast.get_docstring(ast.parse((PACKAGE / "__init__.py").read_text("utf-8")))
    assert docstring, "mlops_kit/__init__.py has no docstring"
    paragraph = re.search(r"^Modules:(.*?)(?:\n\n|\Z)", docstring, flags=re.MULTILINE | re.DOTALL)
    assert paragraph, "the package docstring has no 'Modules:' paragraph"
    names = re.findall(r"``(\w+)``", paragraph.group(1))
    assert names, "the package docstring's 'Modules:' paragraph names no module"
    return names


def _disk_modules() -> list[str]:
    """Every public module on disk: a ``name.py`` file or a folder holding Python files."""
    found = []
    for path in PACKAGE.iterdir():
        if path.name.startswith(("_", ".")):
            continue
        if path.is_file() and path.suffix == ".py":
            found.append(path.stem)
        elif path.is_dir() and any(path.glob("*.py")):
            found.append(path.name)  # a package, with or without __init__.py
    return sorted(found)


def _run(code: str, tmp_path: Path) -> str:
    """Run ``code`` in a fresh interpreter in an empty folder; its last stdout line."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def test_the_module_lists_are_found() -> None:
    documented, on_disk = _docstring_modules(), _disk_modules()
    # Guard the discovery itself: an empty list would make every check below vacuous.
    assert {"data", "metrics", "widgets", "course"} <= set(documented)
    assert {"data", "metrics", "widgets", "course"} <= set(on_disk)
    assert len(documented) == len(set(documented)), f"the docstring repeats a module: {documented}"
    assert {"audit", "fairness", "course", "cli", "errors"} <= set(on_disk)  # folders, files


def test_the_docstring_names_every_public_module_on_disk() -> None:
    undocumented = sorted(set(_disk_modules()) - set(_docstring_modules()))
    assert not undocumented, f"the package docstring's 'Modules:' list lacks {undocumented}"


@pytest.mark.parametrize("name", sorted(set(_docstring_modules()) | set(_disk_modules())))
def test_every_module_resolves_lazily(name: str, tmp_path: Path) -> None:
    report = _run(
        f"""
        import json, sys, types
        import mlops_kit as mk
        listed = {name!r} in dir(mk)
        module = mk.{name}
        print(json.dumps({{
            "listed": listed,
            "is_module": isinstance(module, types.ModuleType),
            "name": module.__name__,
            "file": module.__file__,
        }}))
        """,
        tmp_path,
    )
    got = json.loads(report)
    assert got["listed"], f"dir(mlops_kit) does not list {name!r}"
    assert got["is_module"], f"mk.{name} is not a module"
    assert got["name"] == f"mlops_kit.{name}"
    assert Path(got["file"]).resolve().is_relative_to(PACKAGE)


def test_import_loads_no_numpy_pandas_or_sklearn(tmp_path: Path) -> None:
    report = _run(
        f"""
        import json, sys
        import mlops_kit as mk
        names = dir(mk)  # listing the names must not import them either
        print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
        """,
        tmp_path,
    )
    assert json.loads(report) == [], f"`import mlops_kit` loaded {report}"
    assert list(tmp_path.iterdir()) == [], "`import mlops_kit` wrote files"


def test_dir_lists_every_lazy_name_without_loading_it(tmp_path: Path) -> None:
    report = _run(
        """
        import json, sys
        import mlops_kit as mk
        print(json.dumps({
            "dir": dir(mk),
            "all": list(mk.__all__),
            "loaded": sorted(m for m in sys.modules if m.startswith("mlops_kit.")),
        }))
        """,
        tmp_path,
    )
    got = json.loads(report)
    expected = set(got["all"]) | set(_docstring_modules()) | set(_disk_modules())
    missing = sorted(expected - set(got["dir"]))
    assert not missing, f"dir(mlops_kit) does not list {missing}"
    assert got["dir"] == sorted(got["dir"])
    assert got["loaded"] == [], f"`import mlops_kit` imported {got['loaded']}"


def test_every_exported_name_resolves_and_imports(tmp_path: Path) -> None:
    report = _run(
        """
        import json
        import mlops_kit as mk
        problems = []
        for name in mk.__all__:
            try:
                value = getattr(mk, name)
                exec(f"from mlops_kit import {name}")
            except Exception as exc:
                problems.append(f"{name}: {type(exc).__name__}: {exc}")
                continue
            if value is None:
                problems.append(f"{name}: resolves to None")
        print(json.dumps({"names": list(mk.__all__), "problems": problems}))
        """,
        tmp_path,
    )
    got = json.loads(report)
    assert got["names"], "mlops_kit.__all__ is empty"
    assert len(got["names"]) == len(set(got["names"])), "mlops_kit.__all__ repeats a name"
    assert got["problems"] == []


def test_an_unknown_name_is_an_attribute_error(tmp_path: Path) -> None:
    report = _run(
        """
        import mlops_kit as mk
        try:
            mk.no_such_module
        except AttributeError as exc:
            print(exc)
        """,
        tmp_path,
    )
    assert report == "module 'mlops_kit' has no attribute 'no_such_module'"
