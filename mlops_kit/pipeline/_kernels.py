"""Fresh kernels that start warm: each one forked from a process that has imported the stack.

A pipeline run starts nine kernels, one per stage notebook, and each used to spend two to
four seconds importing pandas, scikit-learn, SciPy and skops before a second of work.
Here one *kernel server* per process imports them once; every kernel is then forked from
it, runs ``ipykernel`` as ``python -m ipykernel_launcher`` would, and starts with those
imports done. Each notebook still gets a kernel of its own that shares no state with
any other (a fork copies the server, which never runs user code).

What is preloaded decides nothing at import about its surroundings, or decides as in a
kernel: nothing that asks whether it runs in a notebook (``tqdm.auto``, ``ipywidgets``,
``matplotlib.pyplot`` and its inline backend, hence no MLflow, Optuna or SHAP), pandas
and matplotlib imported as a kernel sees them (20 columns, the inline figure backend),
and no threads. A request the server cannot serve as a
new process would (another Python, a command that is not the ipykernel launcher, other
values of variables read at import such as ``PYTHONPATH`` or ``OMP_NUM_THREADS``) gets
an ordinary kernel process. ``tests/test_kernels.py`` compares a forked kernel with an
ordinary one. Linux only (``os.fork``, ``os.pidfd_open``); elsewhere, or with
``MLOPS_KIT_FORK_KERNELS=0``, every kernel is an ordinary process.

Over 400 lines because the server, the messages between it and the kernel manager, and
the stand-in for ``subprocess.Popen`` that jupyter_client drives are one mechanism, read
together.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import importlib
import importlib.util
import io
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

__all__ = ["ForkingKernelManager", "forked_kernels"]

#: Set to 0 to start every kernel as an ordinary process.
SWITCH = "MLOPS_KIT_FORK_KERNELS"
#: The kernel server's socket, passed to the kernels it forks: a pipeline run inside a
#: lesson's kernel forks its stage kernels from the same server.
ADDRESS = "MLOPS_KIT_KERNEL_SERVER"
#: Imported once by the server: the stage notebooks' heavy imports that decide nothing
#: about their surroundings at import time (checked by ``_check_preloaded``).
PRELOAD = (
    "ipykernel.kernelapp",
    "IPython.display",
    "numpy",
    "pandas",
    "scipy.stats",
    "sklearn.base",
    "sklearn.compose",
    "sklearn.ensemble",
    "sklearn.impute",
    "sklearn.inspection",
    "sklearn.linear_model",
    "sklearn.metrics",
    "sklearn.model_selection",
    "sklearn.pipeline",
    "sklearn.preprocessing",
    "skops.io",
    "fairlearn.metrics",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "matplotlib.backends.backend_svg",
    "mlops_kit.pipeline",
)
#: The figure backend ipykernel chooses (in ``MPLBACKEND``) unless one is set: matplotlib
#: reads the variable when it is imported.
_KERNEL_BACKEND = "module://matplotlib_inline.backend_inline"
#: Modules that look at their surroundings when imported: a preload must not pull them in.
_NOT_PRELOADED = ("tqdm.auto", "ipywidgets", "matplotlib.pyplot", "matplotlib_inline")
#: Environment variables that Python or a preloaded library reads when it starts or is
#: imported: a kernel that needs other values is started as an ordinary process.
_IMPORT_TIME = (
    "PYTHONPATH",
    "PYTHONHASHSEED",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "MPLBACKEND",
)
_LAUNCHER = "ipykernel_launcher"
_HEADER = struct.Struct("!I")


def forked_kernels() -> bool:
    """Whether kernels are forked from a warm server here (Linux, and not switched off)."""
    return (
        os.environ.get(SWITCH, "1") != "0"
        and sys.platform == "linux"
        and hasattr(os, "fork")
        and hasattr(os, "pidfd_open")
    )


def _import_time(env: dict[str, str]) -> dict[str, str]:
    return {
        key: value
        for key, value in env.items()
        if key in _IMPORT_TIME or key.startswith(("SKLEARN_", "SCIPY_", "NUMPY_"))
    }


# --- the wire: one length-prefixed JSON message each way ----------------------------------


def _send(conn: socket.socket, message: dict[str, Any]) -> None:
    body = json.dumps(message).encode("utf-8")
    conn.sendall(_HEADER.pack(len(body)) + body)


def _receive(conn: socket.socket) -> dict[str, Any]:
    header = conn.recv(_HEADER.size, socket.MSG_WAITALL)
    if len(header) < _HEADER.size:
        raise ConnectionError("the kernel server closed the connection")
    (size,) = _HEADER.unpack(header)
    message: dict[str, Any] = json.loads(conn.recv(size, socket.MSG_WAITALL))
    return message


# --- the server -----------------------------------------------------------------------------


def _check_preloaded() -> None:
    loaded = [name for name in _NOT_PRELOADED if name in sys.modules]
    if loaded:
        raise RuntimeError(
            f"the kernel server's preload imported {', '.join(loaded)}, which decide at "
            "import whether they run in a notebook; remove what pulls them in from PRELOAD"
        )


class _AsInAKernel:
    """What ``get_ipython()`` answers inside a kernel, as far as an import asks: it has a
    ``kernel``. pandas asks when imported and shows 20 columns in a kernel, but sizes its
    tables to the terminal otherwise (``tests/test_kernels.py`` compares every pandas
    option of a forked kernel with an ordinary one's)."""

    kernel = None


def _preload() -> None:
    """Import ``PRELOAD`` as a kernel would: quietly, and seen as inside a kernel."""
    builtins.get_ipython = _AsInAKernel  # type: ignore[attr-defined]
    backend_set = "MPLBACKEND" in os.environ
    os.environ.setdefault("MPLBACKEND", _KERNEL_BACKEND)
    # A kernel's standard output is ipykernel's OutStream, whose encoding pandas records.
    stdout, sys.stdout = sys.stdout, io.TextIOWrapper(io.BytesIO(), encoding="UTF-8")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name in PRELOAD:
                importlib.import_module(name)
    finally:
        del builtins.get_ipython  # type: ignore[attr-defined]
        sys.stdout = stdout
        if not backend_set:
            del os.environ["MPLBACKEND"]
    _check_preloaded()


def _reap(*_args: Any) -> None:
    """Collect every kernel that has exited (they are the server's children)."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _become_kernel(request: dict[str, Any], base_path: list[str]) -> None:
    """In the forked child: take the kernel's surroundings, then run ipykernel."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()  # its own process group, as jupyter_client starts kernels
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    # ``python -m ipykernel_launcher`` in cwd: the launcher drops cwd from the path and
    # IPython puts it back as ''; what follows comes from the same interpreter.
    sys.path[:] = base_path
    # jupyter_client's launcher sets JPY_PARENT_PID, which ipykernel reads when imported
    # (in the server, without it): the kernel watches its parent, here the server, which
    # exits with the process that started it.
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    watch = f"--IPKernelApp.parent_handle={os.getppid()}"
    sys.argv[:] = [request["launcher"], *request["args"], watch]
    import numpy as np

    np.random.seed()  # noqa: NPY002 - the legacy global generator, seeded afresh as in a new process

    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


def serve(address: str, parent: int) -> None:
    """Run the kernel server on the Unix socket ``address`` until ``parent`` exits."""
    base_path = sys.path[1:]  # without the folder the server was started in
    spec = importlib.util.find_spec(_LAUNCHER)
    launcher = spec.origin if spec is not None else _LAUNCHER  # sys.argv[0] of ``python -m``
    _preload()
    signal.signal(signal.SIGCHLD, _reap)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # Listening before the address appears: the starting side waits for the file.
    server.bind(address + ".new")
    server.listen(16)
    os.rename(address + ".new", address)
    server.settimeout(1.0)
    while os.getppid() == parent:
        try:
            conn, _ = server.accept()
        except (TimeoutError, InterruptedError):
            continue
        with conn:
            conn.settimeout(None)
            request = _receive(conn)
            if request.get("stop"):
                break
            request["launcher"] = launcher
            pid = os.fork()
            if pid == 0:
                server.close()
                conn.close()
                try:
                    _become_kernel(request, base_path)
                finally:
                    os._exit(0)
            _send(conn, {"pid": pid})
    server.close()
    _remove(address)


def _remove(address: str) -> None:
    """Remove the server's socket and its private folder (whichever side is first)."""
    Path(address).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        Path(address).parent.rmdir()


class _Server:
    """This process's kernel server, started on first use and stopped at exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._address: str | None = None
        self._imported_with: dict[str, str] = {}

    def serves(self, env: dict[str, str]) -> bool:
        """Whether a kernel with environment ``env`` would import what the server did:
        the variables read at import time have the values the server started with (the
        current ones if it is not running yet, or was inherited from its kernel)."""
        running = self._process is not None and self._process.poll() is None
        imported_with = self._imported_with if running else _import_time(dict(os.environ))
        return _import_time(env) == imported_with

    def address(self) -> str:
        inherited = os.environ.get(ADDRESS)
        if inherited and Path(inherited).exists():
            return inherited
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
            assert self._address is not None
            return self._address

    def _start(self) -> None:
        folder = tempfile.mkdtemp(prefix="mlops-kit-kernels-")
        address = os.path.join(folder, "server.sock")
        env = {k: v for k, v in os.environ.items() if k != ADDRESS}
        self._imported_with = _import_time(env)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "mlops_kit.pipeline._kernels", address, str(os.getpid())],
            stdin=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + 120
        while not os.path.exists(address):
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"the kernel server stopped while starting (exit code "
                    f"{self._process.returncode}); set {SWITCH}=0 to start kernels "
                    "as ordinary processes"
                )
            if time.monotonic() > deadline:
                self._process.kill()
                raise RuntimeError("the kernel server did not start within 120 s")
            time.sleep(0.02)
        self._address = address
        atexit.register(self.stop)

    def stop(self) -> None:
        """Ask the server to stop, then wait for it (its kernels are already shut down)."""
        process, address = self._process, self._address
        self._process = self._address = None
        if process is None or process.poll() is not None:
            return
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.connect(address or "")
                _send(conn, {"stop": True})
            process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        if address:
            _remove(address)

    def fork(self, args: list[str], env: dict[str, str], cwd: str) -> int:
        """A new kernel (``ipykernel_launcher`` with ``args``); its process id."""
        address = self.address()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(address)
            _send(conn, {"args": args, "env": {**env, ADDRESS: address}, "cwd": cwd})
            return int(_receive(conn)["pid"])


_SERVER = _Server()


# --- the kernel manager's side ----------------------------------------------------------------


class _ForkedProcess:
    """The parts of ``subprocess.Popen`` that jupyter_client uses, for a forked kernel
    (the server's child, watched through a pid file descriptor)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._fd: int | None = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self._fd is not None and select.select([self._fd], [], [], 0)[0]:
            os.close(self._fd)
            self._fd = None
            self.returncode = 0  # the server collects the exit status, not this process
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(_LAUNCHER, timeout or 0)
            if self._fd is not None:
                select.select([self._fd], [], [], 0.1)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class _ForkProvisioner(LocalProvisioner):
    """Starts the kernel by forking the server when the request matches what the server
    is, and as an ordinary process otherwise."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        env = dict(kwargs.get("env") or os.environ)
        same_python = (
            len(cmd) > 3
            and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)
            and cmd[1:3] == ["-m", _LAUNCHER]
        )
        if not (same_python and _SERVER.serves(env)):
            return await super().launch_kernel(cmd, **kwargs)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        pid = _SERVER.fork(cmd[3:], env, cwd)
        self.process = _ForkedProcess(pid)  # type: ignore[assignment]  # Popen's interface
        self.pid = self.pgid = pid
        self.cwd = cwd
        return self.connection_info


class ForkingKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels are forked from the warm kernel server."""

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = _ForkProvisioner(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
            )
        return await super()._async_pre_start_kernel(**kw)


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
