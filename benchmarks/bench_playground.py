"""How fast the lesson 12 playground trains and redraws: headless, and live in JupyterLab.

The setting is TensorFlow Playground's default: the circle data (500 points, half for training),
inputs x1 and x2, a 4-2 tanh network, learning rate 0.03, batch size 10. A training step is one
epoch, as in Playground (25 mini-batches of nnlib forward, backward and SGD step); a redraw
rebuilds every panel (network with a heatmap per neuron, output heatmap with the points, loss
curve, epoch counter and losses).

Headless: the same steps and frames in this process, without a browser; the time per epoch,
per frame, and epochs per second when every epoch is redrawn.

In JupyterLab (``--browser``, needs Debian's chromium and playwright): a JupyterLab server
runs a notebook that opens the playground and presses play; headless Chromium shows it. Over
``--seconds`` the browser counts how far the epoch counter on the page advanced and how many
times each panel was replaced in the page (a MutationObserver), so both numbers are what a
student sees, after the network and the browser.

    .venv/bin/python benchmarks/bench_playground.py
    .venv/bin/python benchmarks/bench_playground.py --browser \
        --json benchmarks/results/playground.json
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coursetools.lab import open_notebook  # noqa: E402
from coursetools.lab import start_lab as _start_lab  # noqa: E402
from nnlib.playground import Playground, render  # noqa: E402
from nnlib.playground.app import FPS  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
TOKEN = "nncourse-bench"
PANELS = ("nn-network", "nn-output", "nn-curve")


def machine():
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import ipywidgets
    import jupyterlab

    return {"cpus": os.cpu_count(), "processor": cpu, "system": f"{platform.system()} "
            f"{platform.machine()}", "python": platform.python_version(),
            "numpy": np.__version__, "ipywidgets": ipywidgets.__version__,
            "jupyterlab": jupyterlab.__version__}


def headless(seconds=3.0, repeats=5):
    """Median over ``repeats`` rounds: epoch alone, a frame alone, and epoch + frame."""
    rounds = []
    for _ in range(repeats):
        pg = Playground()
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 3:
            pg.step()
            n += 1
        epoch = (time.perf_counter() - start) / n
        k, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 3:
            fr = render.frame(pg)
            render.network_svg(pg, fr), render.output_svg(pg, fr), render.curve_svg(pg)
            render.status_html(pg)
            k += 1
        frame = (time.perf_counter() - start) / k
        both, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 3:
            pg.step()
            fr = render.frame(pg)
            render.network_svg(pg, fr), render.output_svg(pg, fr), render.curve_svg(pg)
            render.status_html(pg)
            both += 1
        rounds.append((epoch, frame, both / (time.perf_counter() - start)))
    epoch, frame, rate = (statistics.median(r[i] for r in rounds) for i in range(3))
    size = sum(len(s) for s in (render.network_svg(pg), render.output_svg(pg),
                                render.curve_svg(pg)))
    return {"ms_per_epoch": 1000 * epoch, "ms_per_frame": 1000 * frame,
            "epochs_per_second_training_only": 1 / epoch,
            "frames_per_second_drawing_only": 1 / frame,
            "epochs_per_second_with_every_epoch_redrawn": rate,
            "bytes_per_frame": size, "repeats": repeats, "statistic": "median"}


NOTEBOOK = {
    "cells": [{"cell_type": "code", "id": "open", "metadata": {}, "outputs": [],
               "execution_count": None,
               "source": "from nnlib.playground import playground\napp = playground()\napp"}],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5}

OBSERVE = """() => {
  window.__redraws = {"nn-network": 0, "nn-output": 0, "nn-curve": 0};
  new MutationObserver(records => { for (const r of records) for (const n of r.addedNodes)
    if (n.classList) for (const k in window.__redraws)
      if (n.classList.contains(k)) window.__redraws[k] += 1; })
    .observe(document.body, {childList: true, subtree: true});
}"""
EPOCH = "() => Number(document.querySelector('.nn-epoch').textContent.replace(/,/g, ''))"


def start_lab(root):
    try:
        return _start_lab(root, TOKEN)
    except RuntimeError as err:
        raise SystemExit(str(err)) from None


def open_and_play(page, base, path):
    """Open ``path``, run its cell (the playground appears), press play. Returns when playing."""
    open_notebook(page, base, path, TOKEN)
    page.evaluate("async () => { const w = window.jupyterapp.shell.currentWidget;"
                  " w.content.activeCellIndex = 0;"
                  " await window.jupyterapp.commands.execute('notebook:run-cell'); }")
    page.wait_for_selector(".nn-output", timeout=90_000)
    page.wait_for_selector(".nn-epoch", timeout=30_000)
    page.evaluate(OBSERVE)
    page.get_by_role("button", name="play").first.click()


def in_jupyterlab(seconds=10.0, warmup=2.0):
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="bench-playground-"))
    (root / "play.ipynb").write_text(json.dumps(NOTEBOOK))
    server, base, log = start_lab(root)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-dev-shm-usage"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            open_and_play(page, base, "play.ipynb")
            time.sleep(warmup)
            e0, r0, t0 = page.evaluate(EPOCH), page.evaluate("() => ({...window.__redraws})"), \
                time.monotonic()
            time.sleep(seconds)
            e1, r1, t1 = page.evaluate(EPOCH), page.evaluate("() => ({...window.__redraws})"), \
                time.monotonic()
            page.get_by_role("button", name="pause").first.click()
            browser.close()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)
        log.close()
        shutil.rmtree(root, ignore_errors=True)
    dt = t1 - t0
    redraws = {k: (r1[k] - r0[k]) / dt for k in PANELS}
    return {"seconds": dt, "epochs_per_second": (e1 - e0) / dt,
            "redraws_per_second": redraws, "slowest_panel_redraws_per_second": min(
                redraws.values()), "target_fps": FPS, "browser": "Debian chromium, headless"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds in the lab")
    parser.add_argument("--browser", action="store_true", help="also measure in JupyterLab")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    results = {"what": "lesson 12 playground speed (benchmarks/bench_playground.py)",
               "config": {"data": "circle", "points": 500, "train_share": 0.5,
                          "network": "2-4-2-1 tanh, sigmoid output", "batch_size": 10,
                          "lr": 0.03, "step": "one epoch (25 mini-batches)"},
               "machine": machine(), "date": datetime.date.today().isoformat(),
               "headless": headless()}
    h = results["headless"]
    print(f"headless: {h['ms_per_epoch']:.2f} ms per epoch, {h['ms_per_frame']:.2f} ms per "
          f"frame ({h['bytes_per_frame'] / 1000:.0f} kB), "
          f"{h['epochs_per_second_with_every_epoch_redrawn']:.0f} epochs/s redrawing each")
    if args.browser:
        lab = results["jupyterlab"] = in_jupyterlab(args.seconds)
        print(f"JupyterLab: {lab['epochs_per_second']:.1f} epochs/s, redraws/s "
              + ", ".join(f"{k} {v:.1f}" for k, v in lab["redraws_per_second"].items()))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
