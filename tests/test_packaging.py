"""Packaging and repository hygiene: environments, notebooks, imports, the wheel, CI."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import mlops_kit

REPO = Path(__file__).resolve().parents[1]

# PyPI name -> conda-forge name, where they differ.
CONDA_NAMES = {"matplotlib": "matplotlib-base"}

# Modules the lessons and the package docstring rely on: each must exist, with an __all__.
PUBLIC_MODULES = (
    "abtest",
    "audit",
    "cli",
    "config",
    "continuous",
    "course",
    "data",
    "errors",
    "exercises",
    "explain",
    "fairness",
    "governance",
    "metrics",
    "monitor",
    "pipeline",
    "privacy",
    "registry",
    "review",
    "train",
    "tune",
    "widgets",
)

# Libraries that `import mlops_kit` must not load (they load inside the functions).
HEAVY_MODULES = (
    "pandas",
    "numpy",
    "sklearn",
    "scipy",
    "matplotlib",
    "fairlearn",
    "papermill",
    "pydantic",
    "yaml",
    "ipywidgets",
)


# --- environment.yml mirrors pyproject.toml --------------------------------------------


def _lower_bound(spec: str, where: str) -> Version:
    bounds = re.findall(r">=\s*([0-9][0-9A-Za-z.]*)", spec)
    assert len(bounds) == 1, f"{where}: expected exactly one '>=' lower bound in {spec!r}"
    return Version(bounds[0])


def _pyproject() -> dict[str, Any]:
    with (REPO / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)


def _pyproject_runtime() -> dict[str, Version]:
    """Runtime dependencies of pyproject.toml as {conda-forge name: lower bound}."""
    found: dict[str, Version] = {}
    for line in _pyproject()["project"]["dependencies"]:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        found[CONDA_NAMES.get(name, name)] = _lower_bound(str(req.specifier), "pyproject.toml")
    return found


def _environment() -> dict[str, Any]:
    data = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _conda_specs() -> tuple[dict[str, str], list[Any]]:
    """The conda dependencies as {name: version spec}, and the pip section."""
    specs: dict[str, str] = {}
    pip: list[Any] = []
    for dep in _environment()["dependencies"]:
        if isinstance(dep, dict):
            assert set(dep) == {"pip"}, f"unexpected entry in environment.yml: {dep}"
            pip = list(dep["pip"])
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", str(dep).strip())
        assert match, f"cannot read the conda spec {dep!r}"
        name = canonicalize_name(match.group(1))
        assert name not in specs, f"environment.yml lists {name} twice"
        specs[name] = match.group(2)
    return specs, pip


def test_environment_yml_mirrors_pyproject_runtime_dependencies() -> None:
    expected = _pyproject_runtime()
    specs, _ = _conda_specs()
    conda = {
        name: _lower_bound(spec, "environment.yml")
        for name, spec in specs.items()
        if name not in {"python", "pip"}
    }
    problems = [
        f"missing from environment.yml: {n}>={expected[n]}" for n in expected.keys() - conda.keys()
    ]
    problems += [f"not in pyproject.toml: {n}>={conda[n]}" for n in conda.keys() - expected.keys()]
    problems += [
        f"{n}: pyproject.toml says >={expected[n]}, environment.yml says >={conda[n]}"
        for n in sorted(expected.keys() & conda.keys())
        if expected[n] != conda[n]
    ]
    assert not problems, (
        "environment.yml and pyproject.toml disagree (pyproject.toml is the source of "
        "truth; conda names: "
        + ", ".join(f"{k} -> {v}" for k, v in CONDA_NAMES.items())
        + "):\n"
        + "\n".join(sorted(problems))
    )


def test_environment_yml_python_channels_and_the_kit_itself() -> None:
    env = _environment()
    assert env["name"] == "mlops-workbook"
    assert env["channels"] == ["conda-forge"]
    specs, pip = _conda_specs()
    requires_python = _pyproject()["project"]["requires-python"]
    assert _lower_bound(specs["python"], "environment.yml") == _lower_bound(
        requires_python, "pyproject.toml"
    )
    assert "pip" in specs
    # The kit from this folder; its dependencies come from conda, with the same bounds.
    assert pip == ["-e ."]


def test_environment_yml_says_pyproject_is_the_source_of_truth() -> None:
    head = (REPO / "environment.yml").read_text(encoding="utf-8").split("\nname:", 1)[0]
    assert "pyproject.toml is the source of truth" in head
    assert "tests/test_packaging.py" in head


# --- Notebooks are committed clean ------------------------------------------------------


def _notebooks() -> list[Path]:
    found: list[Path] = []
    for folder in ("notebooks", "exercises"):
        if (REPO / folder).is_dir():
            found += sorted(
                p for p in (REPO / folder).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
            )
    return found


FORBIDDEN_IN_CELLS = {
    "!pip": "a shell pip install",
    "%pip": "a %pip install",
    "/home/": "an absolute path",
    "/Users/": "an absolute path",
    "/work/": "an absolute path",
    "C:\\": "a Windows absolute path",
}


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_notebook_is_committed_clean(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    shown = path.relative_to(REPO).as_posix()
    kernelspec = nb.get("metadata", {}).get("kernelspec", {})
    assert kernelspec.get("name") == "python3", f"{shown}: kernelspec name is {kernelspec}"
    assert "widgets" not in nb.get("metadata", {}), f"{shown}: saved widget state in metadata"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, f"{shown} has no code cell"
    tags = code[0].get("metadata", {}).get("tags", [])
    assert "parameters" in tags, f"{shown}: the first code cell is not tagged 'parameters'"
    problems = []
    for number, cell in enumerate(nb["cells"], start=1):
        if cell["cell_type"] == "code":
            if cell.get("outputs"):
                problems.append(f"cell {number} has outputs")
            if cell.get("execution_count") is not None:
                problems.append(f"cell {number} has an execution count")
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for needle, what in FORBIDDEN_IN_CELLS.items():
            if needle in source:
                problems.append(f"cell {number} contains {what} ({needle!r})")
    assert not problems, f"{shown}: " + "; ".join(problems)


# --- `import mlops_kit` is lazy ---------------------------------------------------------

_IMPORT_PROBE = textwrap.dedent(
    """
    import json, os, sys, time
    before_files = sorted(os.listdir("."))
    before_env = dict(os.environ)
    start = time.perf_counter()
    import mlops_kit
    elapsed = time.perf_counter() - start
    print(json.dumps({
        "elapsed": elapsed,
        "heavy": sorted(m for m in HEAVY if m in sys.modules),
        "new_files": sorted(set(os.listdir(".")) - set(before_files)),
        "env_changed": sorted(k for k in set(os.environ) | set(before_env)
                              if os.environ.get(k) != before_env.get(k)),
        "file": mlops_kit.__file__,
    }))
    """
)


def test_import_is_fast_and_has_no_side_effects(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    code = f"HEAVY = {HEAVY_MODULES!r}\n{_IMPORT_PROBE}"
    timings = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout.strip().splitlines()[-1])
        assert Path(report["file"]).resolve() == REPO / "mlops_kit" / "__init__.py"
        assert report["heavy"] == [], f"`import mlops_kit` loaded {report['heavy']}"
        assert report["new_files"] == [], f"`import mlops_kit` created {report['new_files']}"
        assert report["env_changed"] == [], f"`import mlops_kit` set {report['env_changed']}"
        timings.append(report["elapsed"])
    assert list(tmp_path.iterdir()) == []
    assert min(timings) <= 0.3, f"`import mlops_kit` took {min(timings):.3f} s at best"


@pytest.mark.parametrize("name", mlops_kit.__all__)
def test_every_top_level_name_resolves(name: str) -> None:
    value = getattr(mlops_kit, name)  # an import error fails here: no module may be missing
    assert value is not None
    assert name in dir(mlops_kit)


def test_top_level_all_is_sorted_and_unique() -> None:
    assert mlops_kit.__all__ == sorted(set(mlops_kit.__all__))
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        _ = mlops_kit.no_such_name


def _public_modules() -> list[str]:
    """The documented modules plus any public module found in the tree."""
    found = {
        p.stem if p.is_file() else p.name
        for p in (REPO / "mlops_kit").iterdir()
        if not p.name.startswith(("_", "."))
        and ((p.suffix == ".py" and p.is_file()) or (p / "__init__.py").is_file())
    }
    return sorted(found | set(PUBLIC_MODULES))


@pytest.mark.parametrize("name", _public_modules())
def test_public_module_has_all_and_every_name_exists(name: str) -> None:
    base = REPO / "mlops_kit"
    assert (base / f"{name}.py").is_file() or (base / name / "__init__.py").is_file(), (
        f"mlops_kit.{name} is missing: no {name}.py or {name}/__init__.py"
    )
    module = importlib.import_module(f"mlops_kit.{name}")
    exported = getattr(module, "__all__", None)
    assert isinstance(exported, list | tuple), f"mlops_kit.{name} has no __all__"
    assert exported, f"mlops_kit.{name}.__all__ is empty"
    assert len(set(exported)) == len(exported), f"mlops_kit.{name}.__all__ repeats a name"
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"mlops_kit.{name}.__all__ lists names it does not define: {missing}"


# --- The wheel carries the bundled data and stage notebooks -----------------------------


def _uv() -> str | None:
    local = REPO / ".tools" / "bin" / "uv"
    return str(local) if local.is_file() else shutil.which("uv")


@pytest.mark.slow
def test_wheel_contains_bundled_data_and_stage_notebooks(tmp_path: Path) -> None:
    uv = _uv()
    if uv is None:
        pytest.skip("no uv binary at .tools/bin/uv or on PATH (run `make test` to install it)")
    done = subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"uv build failed:\n{done.stdout}\n{done.stderr}"
    (wheel,) = tmp_path.glob("mlops_kit-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        bundled_csv = zf.read("mlops_kit/_bundled/data/benefit_claims.csv")
    expected = {
        "mlops_kit/__init__.py",
        "mlops_kit/py.typed",
        "mlops_kit/_bundled/data/benefit_claims.csv",
        "mlops_kit/_bundled/data/hospital_admissions.csv",
        "mlops_kit/_bundled/data/configs/benefit_claims.yml",
        "mlops_kit/_bundled/data/configs/hospital_admissions.yml",
        "mlops_kit/_bundled/data/benefit_claims.datasheet.md",
        "mlops_kit/_bundled/data/hospital_admissions.datasheet.md",
        "mlops_kit/_bundled/notebooks/pipeline/10_validate.ipynb",
    }
    assert not expected - names, f"the wheel lacks {sorted(expected - names)}"
    stages = {p.name for p in (REPO / "notebooks" / "pipeline").glob("*.ipynb")}
    packed = {n.rsplit("/", 1)[1] for n in names if n.startswith("mlops_kit/_bundled/notebooks/")}
    assert stages <= packed, f"stage notebooks missing from the wheel: {sorted(stages - packed)}"
    assert bundled_csv == (REPO / "data" / "benefit_claims.csv").read_bytes()
    assert not [n for n in names if n.endswith(".pyc") or "__pycache__" in n]


# --- `make test` is what CI runs, and what the README tells people ------------------------


def _make_targets() -> dict[str, tuple[list[str], str]]:
    """Each Makefile target: its prerequisites and its recipe (the tab-indented lines)."""
    targets: dict[str, tuple[list[str], str]] = {}
    current: str | None = None
    for line in (REPO / "Makefile").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([a-z][a-z-]*):(?!=)([^#]*)", line)
        if match:
            current = match.group(1)
            targets[current] = (match.group(2).split(), "")
        elif line.startswith("\t") and current is not None:
            prerequisites, recipe = targets[current]
            targets[current] = (prerequisites, recipe + line.strip() + "\n")
        elif line.strip():
            current = None
    return targets


def test_make_test_runs_lint_types_and_tests() -> None:
    targets = _make_targets()
    assert {"pipeline", "test", "lint", "typecheck", "pytest", "data"} <= targets.keys()
    assert targets["test"][0] == ["lint", "typecheck", "pytest"]
    assert "ruff check ." in targets["lint"][1]
    assert "ruff format --check ." in targets["lint"][1]
    assert "mypy" in targets["typecheck"][1]
    assert "pytest" in targets["pytest"][1]
    assert "mlops-kit data generate --out data" in targets["data"][1]


def test_ci_runs_make_test() -> None:
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line.strip() for line in script.splitlines() if line.strip() and not line.startswith("#")
    ]
    assert "make test" in commands, f".ci/run does not call `make test`: {commands}"
    assert "set -euo pipefail" in commands


def test_readme_gives_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make pipeline" in readme
    assert "make test" in readme


def test_no_module_is_over_600_lines_and_those_over_400_say_why() -> None:
    """A module past 400 lines states in its docstring why it is one module ("Over 400
    lines because ..."); none passes 600."""
    import ast

    package = Path(mlops_kit.__file__).parent
    too_long, unexplained = [], []
    for path in sorted(package.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        name = str(path.relative_to(package.parent))
        if lines > 600:
            too_long.append(f"{name} ({lines})")
        elif lines > 400:
            docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            if "Over 400 lines because" not in " ".join(docstring.split()):
                unexplained.append(f"{name} ({lines})")
    assert too_long == []
    assert unexplained == []
