"""What the browser tests share: Chromium, a JupyterLab server, page helpers, a workspace.

* Debian's Chromium (never a downloaded one) with the flags that keep it offline: each
  browser test module sets ``pytestmark = BROWSER_MARKS`` and imports the
  ``browser_type_launch_args`` and ``artifacts`` fixtures from here.
* Page helpers: :func:`open_and_run` (a notebook in JupyterLab, Run All),
  :func:`assert_rendered` (the widget is drawn, nothing fell back to text),
  :func:`press_until` (keys, waiting for the kernel's echo each time),
  :func:`focused_classes` and :func:`screenshot` (checked to hold a real picture).

The server runs on loopback with a free port and its own token, with every Jupyter
folder (config, data, runtime, IPython, JupyterLab settings and workspaces) in a
temporary home, and serves a temporary copy of the notebooks, so nothing is written
into the repository or the user's folders. Voila's server extension (installed with
voila) serves ``/voila/render/...`` from the same server.

Run as a script (``python tests/browser_support.py WORKSPACE``), it builds a workspace
whose registry holds one version of the claims model that the gate refused, ready for
the approval form. The browser tests run it in a separate process while the browser
works, because creating MLflow's tables takes a while.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest
from playwright.sync_api import Locator, Page, ViewportSize, expect

__all__ = [
    "APPROVAL_MODEL",
    "ARTIFACTS",
    "BROWSER_MARKS",
    "CHROMIUM",
    "ECHO_TIMEOUT",
    "RUN_TIMEOUT",
    "TALL_VIEWPORT",
    "TRAINED_BY",
    "VIEWPORT",
    "JupyterServer",
    "artifacts",
    "assert_rendered",
    "browser_type_launch_args",
    "focused_classes",
    "free_port",
    "open_and_run",
    "png_size",
    "prepare_refused_version",
    "press_until",
    "screenshot",
    "start_jupyter_lab",
    "start_voila",
    "write_notebook",
]

#: The registered model name and its trainer in the prepared workspace.
APPROVAL_MODEL = "claims"
TRAINED_BY = "Ada Trainer"

# JupyterLab settings for a quiet, offline front end: no news, no update checks, no
# toasts that could cover the widgets in a screenshot.
_LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
}


ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying hosts it cannot reach.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 1000}
# Tall enough for the whole quiz cell (about 1,450 pixels) to show in one screenshot.
TALL_VIEWPORT: ViewportSize = {"width": 1280, "height": 1900}
RUN_TIMEOUT = 90_000  # ms for a notebook to run (the metrics lesson takes about 10 s)
ECHO_TIMEOUT = 15_000  # ms for the kernel to answer one key press or click

#: Marks for every browser test module: ``pytestmark = BROWSER_MARKS``.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=(
            f"Debian's Chromium ({CHROMIUM}) is not installed; install it with "
            "`apt-get install chromium` (.ci/run does)."
        ),
    ),
]


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """pytest-playwright launches the system Chromium, never a downloaded one."""
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


# --------------------------------------------------------------------------- notebooks


def write_notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def artifacts() -> Path:
    """The folder the screenshots are kept in (ignored by git)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class JupyterServer:
    """A running JupyterLab server started by :func:`start_jupyter_lab`."""

    process: subprocess.Popen[bytes]
    port: int
    token: str
    root_dir: Path
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """``path`` on this server (starting with a slash), with the token."""
        separator = "&" if "?" in path else "?"
        return f"{self.base_url}{path}{separator}token={self.token}"

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log, for failure messages."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 15.0) -> None:
        """Shut the server (and the kernels it started) down; kill it by PID if it hangs."""
        if self.process.poll() is not None:
            return
        request = urllib.request.Request(self.url("/api/shutdown"), method="POST", data=b"")
        try:
            urllib.request.urlopen(request, timeout=5).close()
        except (urllib.error.URLError, OSError):
            os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=timeout)


def _status_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start_jupyter_lab(root_dir: Path, home: Path, *, timeout: float = 60.0) -> JupyterServer:
    """Start JupyterLab serving ``root_dir``, with every Jupyter folder under ``home``.

    Waits until ``/api/status`` answers (the port opens a little before the API does).

    Raises
    ------
    RuntimeError
        When the server exits or does not answer within ``timeout`` seconds; the
        message ends with its log.
    """
    env = dict(os.environ)
    folders = {
        "JUPYTER_CONFIG_DIR": home / "config",
        "JUPYTER_DATA_DIR": home / "data",
        "JUPYTER_RUNTIME_DIR": home / "runtime",
        "IPYTHONDIR": home / "ipython",
        "JUPYTERLAB_SETTINGS_DIR": home / "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": home / "lab-workspaces",
    }
    for name, folder in folders.items():
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    for relative, settings in _LAB_SETTINGS.items():
        path = folders["JUPYTERLAB_SETTINGS_DIR"] / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings), encoding="utf-8")
    # The kernels run this interpreter (the kernel named python3 is the server's own
    # Python) on one thread each: the machine is shared.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("OMP_NUM_THREADS", "1")
    port, token = free_port(), os.urandom(16).hex()
    log_path = home / "jupyter-lab.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--allow-root",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=root_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = JupyterServer(process, port, token, root_dir, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with code {process.returncode} before it answered on "
                f"port {port}. Its log ends:\n{server.log_tail()}"
            )
        if _status_ok(server.url("/api/status")):
            return server
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(
        f"JupyterLab did not answer on port {port} within {timeout:g} s. "
        f"Its log ends:\n{server.log_tail()}"
    )


def _answers(url: str) -> bool:
    """True when a server answers at ``url`` at all (any HTTP status)."""
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False
    return True


def start_voila(
    notebook: Path, home: Path, *, env: dict[str, str] | None = None, timeout: float = 60.0
) -> JupyterServer:
    """Start Voila standalone on ``notebook`` (served at ``/``; no token), on loopback.

    The kernel runs in the notebook's folder; ``env`` adds environment variables (the
    kernel inherits them). Jupyter's folders live under ``home``. The readiness probe
    asks for a static path, because every request for ``/`` runs the notebook. Stop it
    with :meth:`JupyterServer.stop` (Voila refuses the shutdown request, so it is ended
    by its PID; its kernels exit with it).
    """
    environ = {**os.environ, **(env or {})}
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        folder = home / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        environ[name] = str(folder)
    environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environ.get('PATH', '')}"
    environ.setdefault("OMP_NUM_THREADS", "1")
    port = free_port()
    log_path = home / "voila.log"
    command = [sys.executable, "-m", "voila", str(notebook), "--no-browser"]
    command += [f"--port={port}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=notebook.parent,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = JupyterServer(process, port, "", notebook.parent, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"Voila exited with code {process.returncode} before it answered on port "
                f"{port}. Its log ends:\n{server.log_tail()}"
            )
        if _answers(f"{server.base_url}/voila/static/probe"):
            return server
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(
        f"Voila did not answer on port {port} within {timeout:g} s. "
        f"Its log ends:\n{server.log_tail()}"
    )


# --------------------------------------------------------------------------- driving pages


def open_and_run(page: Page, lab: JupyterServer, notebook: str) -> None:
    """Open ``notebook`` in JupyterLab, wait for its kernel, then Run > Run All Cells.

    Each notebook gets a workspace of its own: pages sharing JupyterLab's default
    workspace reopen each other's notebooks, and Run All would then run another one.
    """
    page.goto(lab.url(f"/lab/workspaces/{Path(notebook).stem}/tree/{notebook}"))
    current = page.locator(".jp-mod-current .lm-TabBar-tabLabel")
    expect(current).to_have_text(notebook, timeout=RUN_TIMEOUT)
    statusbar = page.locator("#jp-main-statusbar")
    expect(statusbar).to_contain_text("Idle", timeout=RUN_TIMEOUT)
    page.locator(".lm-MenuBar-item", has_text="Run").click()
    page.locator('li.lm-Menu-item[data-command="runmenu:run-all"]').click()


def assert_rendered(page: Page, widget: Locator) -> None:
    """The widget's own element is visible and no output fell back to text."""
    expect(widget).to_be_visible(timeout=RUN_TIMEOUT)
    outputs = page.locator(".jp-OutputArea-output")
    expect(outputs.filter(has_text="Loading widget")).to_have_count(0)
    # A widget whose front-end model fails to load shows an error icon instead.
    expect(page.locator(".jupyter-widgets-error-widget")).to_have_count(0)
    expect(outputs.filter(has_text=re.compile(r"\b[A-Za-z]*Box\(children="))).to_have_count(0)
    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    expect(errors.filter(has_text=re.compile("Error|Traceback"))).to_have_count(0)


def focused_classes(page: Page) -> str:
    """The CSS classes of the focused element and its ancestors (to follow Tab)."""
    return str(
        page.evaluate(
            "() => { const out = []; for (let e = document.activeElement; e; e = "
            "e.parentElement) out.push(e.className || ''); return out.join(' '); }"
        )
    )


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return int(width), int(height)


def screenshot(target: Page | Locator, path: Path) -> Path:
    """Save a screenshot and check it holds a real picture (not an empty file or a dot)."""
    path.unlink(missing_ok=True)
    target.screenshot(path=path)
    assert path.is_file(), f"no screenshot written at {path}"
    width, height = png_size(path)
    assert width >= 300, f"{path} is only {width} pixels wide"
    assert height >= 100, f"{path} is only {height} pixels high"
    assert path.stat().st_size > 8_000, f"{path} is only {path.stat().st_size} bytes"
    return path


def press_until(page: Page, key: str, echo: Locator, texts: list[str]) -> None:
    """Press ``key`` once per expected echo, waiting for the kernel's answer each time.

    The front end throttles a slider's value sync, so each press waits for the echo.
    """
    for text in texts:
        page.keyboard.press(key)
        expect(echo).to_have_text(re.compile("^" + re.escape(text)), timeout=ECHO_TIMEOUT)


# --------------------------------------------------------------------------- the sign-off workspace


def validated_claims_run(workspace: Path, run_dir: Path) -> Path:
    """A run folder that the real validate stage wrote, on every eighth bundled claim.

    The workspace gets the sample (``claims.csv``) and the audit log; the run is trained
    by :data:`TRAINED_BY`.
    """
    import pandas as pd

    from mlops_kit.data import dataset_info
    from mlops_kit.pipeline import validate_stage
    from mlops_kit.pipeline._context import write_run_context

    workspace.mkdir(parents=True, exist_ok=True)
    data = workspace / "claims.csv"
    pd.read_csv(dataset_info("benefit_claims").path).iloc[::8].to_csv(data, index=False)
    write_run_context(
        run_dir,
        run_id=run_dir.name,
        trained_by=TRAINED_BY,
        workspace=str(workspace),
        audit_log=str(workspace / "audit" / "audit.jsonl"),
        code_version=None,
    )
    validate_stage(
        run_dir,
        data=str(data),
        target="flagged",
        positive_is="adverse",
        protected=["sex"],
        exclude=["claim_id"],
        time_column="month",
    )
    return run_dir


def prepare_refused_version(workspace: Path) -> int:
    """Register one claims model that the gate refused, through the pipeline's stages.

    The run trains a logistic model on every eighth claim; the policy asks for an
    ROC AUC of 0.99, which no model reaches here, so the gate refuses it and only a
    named approver who did not train it can override. Returns the version number.
    """
    from mlops_kit.config import load_config
    from mlops_kit.data import dataset_info
    from mlops_kit.pipeline import evaluate_stage, gate_stage, register_stage, train_stage

    run_dir = validated_claims_run(workspace, workspace / "runs" / "refused")
    train_stage(run_dir, model="logistic", cv_folds=0, split="time", threshold=0.3)
    evaluate_stage(run_dir, n_bootstrap=0)
    card = load_config(dataset_info("benefit_claims").config).transparency.model_dump(mode="json")
    gate_stage(
        run_dir,
        policy={
            "high_impact": False,
            "min_metrics": {"roc_auc": 0.99},
            "four_fifths": False,
            "max_equalized_odds_difference": None,
        },
        transparency=card,
    )
    version = register_stage(run_dir, registry={"model_name": APPROVAL_MODEL}, transparency=card)
    return int(version.version)


if __name__ == "__main__":
    print(prepare_refused_version(Path(sys.argv[1])))
