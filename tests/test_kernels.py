"""Kernels forked from the warm kernel server behave as ordinary fresh kernels."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import nbformat
import papermill as pm
import pytest

from mlops_kit.pipeline import execute_notebook
from mlops_kit.pipeline._kernels import ADDRESS, SWITCH, ForkingKernelManager, forked_kernels

pytestmark = [
    pytest.mark.notebook,
    pytest.mark.skipif(not forked_kernels(), reason="kernels are forked only on Linux"),
]

#: What a kernel reports about its surroundings.
PROBE = textwrap.dedent(
    """
    import json, os, sys
    import numpy as np
    import pandas as pd
    import matplotlib
    backend_at_import = matplotlib.rcParams["backend"]
    import matplotlib.pyplot as plt
    from tqdm.auto import tqdm
    import ipywidgets
    from IPython import get_ipython

    facts = {
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "cwd": os.getcwd(),
        "path": [p for p in sys.path if p],
        "marker": os.environ.get("PROBE_MARKER"),
        "backend": matplotlib.get_backend(),
        "backend_at_import": str(backend_at_import),
        "rc": {k: repr(v) for k, v in matplotlib.rcParams.items()},
        "tqdm": [cls.__module__ for cls in tqdm.__mro__],
        "widget_comms": "jupyter.widget" in get_ipython().kernel.comm_manager.targets
            if hasattr(get_ipython().kernel, "comm_manager") else None,
        "draw": float(np.random.random()),
        "argv0": os.path.basename(sys.argv[0]),
        "pandas_options": pd.describe_option(_print_desc=False),
        "user_names": sorted(n for n in get_ipython().user_ns if not n.startswith("_")),
    }
    print(json.dumps(facts))
    """
)


def _notebook(folder: Path, *cells: str, name: str = "probe") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"},
        "language_info": {"name": "python"},
    }
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(cell) for cell in cells]
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def _facts(notebook: Any) -> dict[str, Any]:
    text = "".join(o.get("text", "") for o in notebook.cells[-1].outputs)
    facts: dict[str, Any] = json.loads(text.strip().splitlines()[-1])
    return facts


def _probe(folder: Path, monkeypatch: pytest.MonkeyPatch, *, fork: bool) -> dict[str, Any]:
    monkeypatch.setenv(SWITCH, "1" if fork else "0")
    monkeypatch.setenv("PROBE_MARKER", f"fork={fork}")
    work = folder / ("forked" if fork else "ordinary")
    work.mkdir()
    notebook = _notebook(folder, PROBE)
    return _facts(execute_notebook(notebook, work / "out.ipynb", cwd=work))


def test_a_forked_kernel_sees_what_an_ordinary_kernel_sees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ordinary = _probe(tmp_path, monkeypatch, fork=False)
    forked = _probe(tmp_path, monkeypatch, fork=True)
    (tmp_path / "again").mkdir()
    again = _probe(tmp_path / "again", monkeypatch, fork=True)
    # The ordinary kernel is this process's child; the forked one the server's.
    assert ordinary["ppid"] == os.getpid()
    assert forked["ppid"] != os.getpid()
    assert forked["pid"] != again["pid"]
    # Its own folder and environment, as given to the kernel manager.
    assert ordinary["cwd"] == str(tmp_path / "ordinary")
    assert forked["cwd"] == str(tmp_path / "forked")
    assert (ordinary["marker"], forked["marker"]) == ("fork=False", "fork=True")
    # What decides itself at import decides as in a fresh kernel: figures inline, progress
    # bars as widgets, the widget messages registered, pandas' display options (20
    # columns, not the terminal's width); nothing left in the namespace.
    for key in (
        "path",
        "backend",
        "backend_at_import",
        "rc",
        "tqdm",
        "widget_comms",
        "argv0",
        "pandas_options",
        "user_names",
    ):
        assert forked[key] == ordinary[key], key
    assert forked["backend"] == "module://matplotlib_inline.backend_inline"
    assert "tqdm.notebook" in forked["tqdm"]
    assert "display.max_columns : int\n" in forked["pandas_options"]
    assert "[default: 20] [currently: 20]" in forked["pandas_options"]
    # Each forked kernel draws its own unseeded random numbers.
    assert forked["draw"] != again["draw"]


def test_a_failing_or_dying_kernel_leaves_the_server_serving(tmp_path: Path) -> None:
    raising = _notebook(tmp_path, "raise ValueError('on purpose')", name="raising")
    with pytest.raises(pm.PapermillExecutionError, match="on purpose"):
        execute_notebook(raising, tmp_path / "raised.ipynb", cwd=tmp_path)
    dying = _notebook(tmp_path, "import os\nos._exit(3)", name="dying")
    with pytest.raises(Exception, match=r"(?i)dead|died|kernel"):
        execute_notebook(dying, tmp_path / "died.ipynb", cwd=tmp_path)
    fine = _notebook(tmp_path, "print(6 * 7)")
    out = execute_notebook(fine, tmp_path / "fine.ipynb", cwd=tmp_path)
    assert out.cells[-1].outputs[0]["text"].strip() == "42"


def test_a_kernel_that_overruns_its_time_is_stopped(tmp_path: Path) -> None:
    slow = _notebook(tmp_path, "import time\ntime.sleep(60)", name="slow")
    nb = _notebook(tmp_path, "print('next')", name="next")
    with pytest.raises(Exception, match=r"(?i)timed? ?out|timeout"):
        pm.execute_notebook(
            str(slow),
            str(tmp_path / "slow.ipynb"),
            kernel_name="python3",
            progress_bar=False,
            execution_timeout=2,
            kernel_manager_class=ForkingKernelManager,
        )
    assert execute_notebook(nb, tmp_path / "next.ipynb").cells[-1].outputs[0]["text"] == "next\n"


@pytest.fixture
def server_running(tmp_path_factory: pytest.TempPathFactory) -> None:
    """This process's kernel server, started with the session's environment."""
    folder = tmp_path_factory.mktemp("first")
    execute_notebook(_notebook(folder, "pass"), folder / "out.ipynb", cwd=folder)


@pytest.mark.usefixtures("server_running")
def test_another_python_path_gets_an_ordinary_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "probe_helper.py").write_text("WHERE = 'extra'\n")
    monkeypatch.setenv("PYTHONPATH", str(extra))
    notebook = _notebook(
        tmp_path, "import os, probe_helper\nprint(probe_helper.WHERE, os.getppid())"
    )
    out = execute_notebook(notebook, tmp_path / "out.ipynb", cwd=tmp_path)
    where, ppid = out.cells[-1].outputs[0]["text"].split()
    assert (where, int(ppid)) == ("extra", os.getpid())


@pytest.mark.usefixtures("server_running")
def test_another_thread_count_gets_an_ordinary_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OpenBLAS sizes its threads when NumPy is imported: a kernel asked to use another
    number than the server was started with cannot be forked from it."""
    monkeypatch.setenv("OMP_NUM_THREADS", "2" if os.environ.get("OMP_NUM_THREADS") == "1" else "1")
    notebook = _notebook(tmp_path, "import os\nprint(os.getppid(), os.environ['OMP_NUM_THREADS'])")
    out = execute_notebook(notebook, tmp_path / "out.ipynb", cwd=tmp_path)
    ppid, threads = out.cells[-1].outputs[0]["text"].split()
    assert (int(ppid), threads) == (os.getpid(), os.environ["OMP_NUM_THREADS"])


@pytest.mark.parametrize("ending", ["exit", "killed"])
def test_the_server_stops_with_the_process_that_started_it(tmp_path: Path, ending: str) -> None:
    """At a normal exit the process stops its server; when it is killed (no exit
    handlers run), the server notices within a second or two and stops itself. Either
    way its socket and folder are gone."""
    notebook = _notebook(tmp_path, "import os\nprint(os.environ['" + ADDRESS + "'])")
    script = (
        "import os, sys\nfrom mlops_kit.pipeline import execute_notebook\n"
        f"nb = execute_notebook({str(notebook)!r}, {str(tmp_path / 'out.ipynb')!r})\n"
        "print(nb.cells[-1].outputs[0]['text'].strip(), flush=True)\n"
        + ("os._exit(0)\n" if ending == "killed" else "")
    )
    env = {k: v for k, v in os.environ.items() if k not in (ADDRESS, SWITCH)}
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=180
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    address = Path(proc.stdout.strip().splitlines()[-1])
    assert address.name == "server.sock"
    deadline = time.monotonic() + 10
    while address.parent.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not address.exists()
    assert not address.parent.exists()
