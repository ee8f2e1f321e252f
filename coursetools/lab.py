"""A JupyterLab server for automated runs in a browser: the browser tests and the playground
benchmark both start one the same way (127.0.0.1, a free port, a token, a private Jupyter
configuration, the page's `jupyterapp` exposed so a script can read the notebook model)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(root: Path, token: str, timeout: float = 60):
    """Start JupyterLab serving ``root``; returns (server process, base URL, open log file).

    Raises RuntimeError with the server's log when it does not answer within ``timeout`` s.
    """
    port = free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(root / ".jupyter"),
               JUPYTER_RUNTIME_DIR=str(root / ".runtime"))
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
           "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", "--allow-root",
           f"--ServerApp.root_dir={root}", "--LabApp.news_url=",
           "--ServerApp.disable_check_xsrf=True", "--LabApp.expose_app_in_browser=True"]
    log = open(root / "lab.log", "wb")
    server = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            return server, base, log
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                log.close()
                raise RuntimeError("JupyterLab did not start:\n"
                                   + (root / "lab.log").read_text()) from None
            time.sleep(0.5)


def open_notebook(page, base: str, path: str, token: str, timeout_ms: int = 90_000) -> None:
    """Open ``path`` in JupyterLab in a Playwright ``page`` and return once its kernel is
    connected, idle and has told JupyterLab its language (the browser tests and
    benchmarks/bench_playground.py)."""
    page.goto(f"{base}/lab/tree/{path}?token={token}&reset", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout_ms)
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return w && w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel"
        " && w.sessionContext.session.kernel.connectionStatus === 'connected'"
        " && w.sessionContext.session.kernel.status === 'idle'; }", timeout=timeout_ms)
    page.evaluate("async () => { await window.jupyterapp.shell.currentWidget"
                  ".sessionContext.session.kernel.info; }")
