"""End to end in a real browser: JupyterLab in headless Chromium, driven by Playwright.

What a student sees: open the welcome exercises in JupyterLab, run every cell, and read one-line
feedback under each check ("not attempted yet" while unfilled, a tick once answered), never a
traceback; check cells are read-only. Needs Debian's chromium (/usr/bin/chromium) and the
playwright Python package (never a downloaded browser). Without them the test is skipped,
unless NNCOURSE_REQUIRE_BROWSER=1 (set by .ci/run), where it fails instead.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coursetools.lab import free_port, open_notebook, start_lab

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
REQUIRED = os.environ.get("NNCOURSE_REQUIRE_BROWSER") == "1"

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

missing = []
if sync_playwright is None:
    missing.append("the playwright package (pip install playwright)")
if not Path(CHROMIUM).exists():
    missing.append("Debian's chromium (apt-get install chromium)")
if missing and not REQUIRED:
    pytest.skip("browser test needs " + " and ".join(missing), allow_module_level=True)

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
TOKEN = "nncourse-browser-test"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving copies of the welcome notebooks."""
    assert not missing, "browser test needs " + " and ".join(missing)
    root = tmp_path_factory.mktemp("lab")
    for folder in ("exercises", "solutions"):
        (root / folder).mkdir()
        shutil.copy(ROOT / folder / "00_welcome.ipynb", root / folder)
    try:
        server, base, log = start_lab(root, TOKEN)
    except RuntimeError as err:
        pytest.fail(str(err))
    yield base, root
    os.killpg(server.pid, 15)
    server.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def run_all_cells(page, base, path):
    """Open ``path`` in JupyterLab, wait for its kernel, run every cell, wait until done."""
    open_notebook(page, base, path, TOKEN)
    # Run the cells one by one, as a student pressing Shift+Enter does (Run All is tested on its
    # own below). Cells are counted in the notebook's model, not in the page: JupyterLab
    # renders only the cells near the viewport.
    n_cells = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.widgets.length")
    for i in range(n_cells):
        page.evaluate(
            "async i => { const w = window.jupyterapp.shell.currentWidget;"
            " w.content.activeCellIndex = i;"
            " await window.jupyterapp.commands.execute('notebook:run-cell'); }",
            i,
        )
    # every code cell has an execution count and the kernel is idle again
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " const code = w.content.widgets.filter(c => c.model.type === 'code');"
        " return code.length > 0 && code.every(c => c.model.executionCount !== null)"
        " && w.sessionContext.session.kernel.status === 'idle'; }",
        timeout=120_000,
    )


def check_outputs(page):
    """The text each check cell shows under it, as JupyterLab renders it from the outputs."""
    return page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.content.widgets"
        ".filter(c => c.model.type === 'code')"
        ".filter(c => { const s = c.model.sharedModel.getSource();"
        "               return s.includes('check(') && !s.includes('summary('); })"
        ".map(c => c.model.outputs.toJSON().map(o =>"
        "   o.output_type === 'stream' ? [].concat(o.text).join('')"
        "   : o.output_type === 'error' ? o.traceback.join('\\n')"
        "   : (o.data && o.data['text/plain']) || '').join(''))"
    )


def test_unfilled_exercises_show_one_line_not_attempted_feedback(lab, browser):
    base, _ = lab
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script("window.__nncourse = true")
    run_all_cells(page, base, "exercises/00_welcome.ipynb")
    outputs = check_outputs(page)
    assert outputs, "no check cells found in the exercises notebook"
    for text in outputs:
        assert "not attempted yet" in text, text
        assert "Traceback" not in text and "File " not in text, text
        assert len(text.strip().splitlines()) == 1, text
    page.close()


def test_solved_notebook_shows_ticks(lab, browser):
    base, _ = lab
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    run_all_cells(page, base, "solutions/00_welcome.ipynb")
    outputs = check_outputs(page)
    assert outputs
    for text in outputs:
        assert text.strip().startswith("✓"), text
    page.close()


def test_check_cells_are_read_only_in_jupyterlab(lab, browser):
    base, root = lab
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/lab/tree/exercises/00_welcome.ipynb?token={TOKEN}&reset",
              wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=90_000)
    sources = page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.content.widgets"
        ".map(c => c.model.sharedModel.getSource())"
    )
    checks = [i for i, src in enumerate(sources) if "check(" in src and "summary(" not in src]
    assert checks, "no check cell found"
    i = checks[0]
    editor = page.locator(".jp-Notebook .jp-Cell").nth(i).locator(".cm-content")
    editor.click()
    page.keyboard.press("End")
    page.keyboard.type("\npass  # a student tries to skip the check")
    page.keyboard.press("Delete")
    after = page.evaluate(
        "i => window.jupyterapp.shell.currentWidget.content.widgets[i]"
        ".model.sharedModel.getSource()", i,
    )
    assert after == sources[i]
    # an answer cell, by contrast, takes what the student types
    j = next(k for k in range(i) if "def " in sources[k] or "= None" in sources[k])
    page.locator(".jp-Notebook .jp-Cell").nth(j).locator(".cm-content").click()
    page.keyboard.type("# my note ")
    after_j = page.evaluate(
        "j => window.jupyterapp.shell.currentWidget.content.widgets[j]"
        ".model.sharedModel.getSource()", j,
    )
    assert "# my note " in after_j
    page.close()


def test_make_lab_opens_the_welcome_lesson_with_the_whole_course_in_reach(browser, tmp_path):
    """README command 1, as a student runs it (only the port, token and a private Jupyter
    configuration are added), using this environment instead of installing a new one."""
    port = free_port()
    runtime = tmp_path / "runtime"
    extra = (f"--no-browser --port={port} --ServerApp.ip=127.0.0.1 "
             f"--IdentityProvider.token={TOKEN} --LabApp.news_url= "
             f"--LabApp.expose_app_in_browser=True --LabApp.workspaces_dir={tmp_path / 'ws'}")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(runtime))
    log = open(tmp_path / "lab.log", "wb")
    server = subprocess.Popen(
        ["make", "-s", "lab", f"BIN={Path(sys.executable).parent}", "STAMP=",
         f"LAB_ARGS={extra}"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        # the page `make lab` opens in the student's browser, as Jupyter writes it for them
        deadline = time.monotonic() + 60
        while not list(runtime.glob("jpserver-file-to-run-*-open.html")):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("make lab did not start:\n" + (tmp_path / "lab.log").read_text())
            time.sleep(0.5)
        [opener] = runtime.glob("jpserver-file-to-run-*-open.html")
        url = re.search(r'url=([^"]+)"', opener.read_text()).group(1).replace("&amp;", "&")
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector(".jp-Notebook .jp-MarkdownCell", timeout=90_000)
        path = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")
        assert path == "lessons/00_welcome.ipynb"
        first = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.widgets[0]"
                              ".model.sharedModel.getSource()")
        assert first.startswith("# ") and "Welcome" in first.splitlines()[0], first[:200]
        top = page.evaluate("async () => (await window.jupyterapp.serviceManager.contents"
                            ".get('')).content.map(item => item.name)")
        assert {"lessons", "exercises", "solutions"} <= set(top), top
        page.close()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)
        log.close()


# --------------------------------------------------------------------------- lesson 12's playground
PLAYGROUND_NOTEBOOK = {
    "cells": [{"cell_type": "code", "id": "open", "metadata": {}, "outputs": [],
               "execution_count": None,
               "source": "from nnlib.playground import playground\napp = playground()\napp"}],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5}


def test_playground_plays_in_jupyterlab_and_its_pictures_and_epoch_counter_move(lab, browser):
    """Open the playground, press play for a few seconds: the epoch counter on the page
    advances, every panel is redrawn many times, and the pictures differ from the first frame."""
    import json

    base, root = lab
    (root / "playground.ipynb").write_text(json.dumps(PLAYGROUND_NOTEBOOK))
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    run_all_cells(page, base, "playground.ipynb")
    page.wait_for_selector(".nn-output", timeout=60_000)
    page.wait_for_selector(".nn-network image", timeout=60_000)

    def snapshot():
        return page.evaluate(
            "() => ({epoch: Number(document.querySelector('.nn-epoch').textContent"
            ".replace(/,/g, '')),"
            " output: document.querySelector('.nn-output').outerHTML,"
            " network: document.querySelector('.nn-network').outerHTML,"
            " curve: document.querySelector('.nn-curve').outerHTML})")

    first = snapshot()
    assert first["epoch"] == 0
    assert first["network"].count('class="node"') == 4 + 2 + 1  # Playground's 4-2 network
    page.evaluate(
        "() => { window.__redraws = 0; new MutationObserver(rs => { for (const r of rs)"
        " for (const n of r.addedNodes) if (n.classList && n.classList.contains('nn-output'))"
        " window.__redraws += 1; }).observe(document.body, {childList: true, subtree: true}); }")
    page.get_by_role("button", name="play").first.click()
    time.sleep(4)
    page.get_by_role("button", name="pause").first.click()
    page.wait_for_timeout(500)
    after = snapshot()
    redraws = page.evaluate("() => window.__redraws")
    assert after["epoch"] >= 20, after["epoch"]  # several epochs a second even on 2 busy cores
    assert redraws >= 10, redraws
    assert after["output"] != first["output"] and after["network"] != first["network"]
    assert after["curve"] != first["curve"]
    # a control works from the page too: "step" moves the counter by exactly one
    page.get_by_role("button", name="step").first.click()
    page.wait_for_function(
        f"() => Number(document.querySelector('.nn-epoch').textContent.replace(/,/g, ''))"
        f" === {after['epoch'] + 1}", timeout=10_000)
    page.close()


# --------------------------------------------------------------------- Run All; opening unmodified
def shut_down_kernel(page):
    page.evaluate("async () => { await window.jupyterapp.shell.currentWidget"
                  ".sessionContext.shutdown(); }")


def copy_into_lab(root, *paths):
    for path in paths:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / path, root / path)


def test_restart_and_run_all_reaches_the_score_with_every_check_line(lab, browser):
    """Kernel > Restart Kernel and Run All Cells on an unfilled exercises notebook: every check
    fails (tagged raises-exception, so JupyterLab goes on), shows its one line, and the last
    cell prints the score table with every exercise not attempted."""
    base, root = lab
    path = "exercises/03_activations.ipynb"
    copy_into_lab(root, path)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    open_notebook(page, base, path, TOKEN)
    # not awaited: the command waits for the "Restart Kernel?" dialog, answered below
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:restart-run-all'); }")
    page.locator(".jp-Dialog .jp-mod-accept").click(timeout=30_000)
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " const code = w.content.widgets.filter(c => c.model.type === 'code');"
        " const last = code[code.length - 1];"
        " return last.model.executionCount !== null && last.model.outputs.length > 0"
        " && w.sessionContext.session.kernel.status === 'idle'; }",
        timeout=180_000,
    )
    counts = page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.content.widgets"
        ".filter(c => c.model.type === 'code').map(c => c.model.executionCount)")
    assert counts == list(range(1, len(counts) + 1)), f"Run All stopped early: {counts}"
    outputs = check_outputs(page)
    assert len(outputs) == 5, outputs
    for text in outputs:
        assert text.startswith("… 03.") and "not attempted yet" in text, text
        assert len(text.strip().splitlines()) == 1 and "Traceback" not in text, text
    table = page.evaluate(
        "() => { const code = window.jupyterapp.shell.currentWidget.content.widgets"
        ".filter(c => c.model.type === 'code');"
        " return code[code.length - 1].model.outputs.toJSON()"
        ".map(o => [].concat(o.text || '').join('')).join(''); }")
    rows = table.strip().splitlines()
    assert rows[-1].split()[0] == "total" and rows[-1].split()[-1] == "0/12", table
    assert sum("not attempted" in row for row in rows) == 5, table
    shut_down_kernel(page)
    page.close()


@pytest.mark.parametrize("path", ["lessons/03_activations.ipynb", "exercises/03_activations.ipynb"])
def test_a_notebook_opens_unmodified_and_saving_it_changes_no_byte(lab, browser, path):
    """Open a committed notebook, let its kernel start: JupyterLab must not mark it modified
    (it would for another kernelspec display name), and File > Save must write the same bytes
    (it would not with whole numbers written 8.0 in the widget state)."""
    base, root = lab
    copy_into_lab(root, path)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    open_notebook(page, base, path, TOKEN)
    page.wait_for_timeout(2_000)  # anything JupyterLab changes after the kernel's reply
    assert page.evaluate("() => window.jupyterapp.shell.currentWidget.context.model.dirty") \
        is False, f"JupyterLab marks {path} as modified on opening"
    before = (root / path).stat().st_mtime_ns
    page.evaluate("async () => { await window.jupyterapp.commands.execute('docmanager:save'); }")
    deadline = time.monotonic() + 30
    while (root / path).stat().st_mtime_ns == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (root / path).stat().st_mtime_ns != before, "the save did not happen"
    assert (root / path).read_bytes() == (ROOT / path).read_bytes(), (
        f"saving {path} without an edit changed it")
    shut_down_kernel(page)
    page.close()
