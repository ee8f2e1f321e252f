"""How much memory one lesson's kernel holds once every cell has run (lesson 00 quotes it).

    .venv/bin/python benchmarks/bench_kernel_memory.py                  # every lesson
    .venv/bin/python benchmarks/bench_kernel_memory.py lessons/10_mnist.ipynb --json out.json

Each notebook runs top to bottom, as Run All does, on a fresh kernel of this environment (a copy
in a temporary folder beside links to data/ and benchmarks/, so the committed file is not
touched). With the kernel still running and idle, its memory is read from /proc (Linux only):

* ``rss_mib``: resident memory, what a task manager or ``top`` shows for the kernel;
* ``uss_mib``: its private pages (``Private_Clean + Private_Dirty`` in ``smaps_rollup``), what
  shutting the kernel down gives back; shared libraries (NumPy, OpenBLAS, Python) are not in it;
* ``peak_rss_mib``: the highest resident memory while the notebook ran (``VmHWM``).

A baseline row measures a kernel that only imported NumPy, matplotlib and nnlib. Numbers move
by a few MiB from run to run; what a lesson holds depends on what it keeps in variables.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coursetools.execute import kernel_manager  # noqa: E402

MIB = 1024 * 1024


def proc_memory(pid: int) -> dict:
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text()
                  .splitlines() if ":" in line)
    rollup = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        rollup[key] = int(value.split()[0])  # kB

    def kib(text):
        return int(text.split()[0])

    return {"rss_mib": round(kib(status["VmRSS"]) / 1024, 1),
            "uss_mib": round((rollup["Private_Clean"] + rollup["Private_Dirty"]) / 1024, 1),
            "peak_rss_mib": round(kib(status["VmHWM"]) / 1024, 1)}


def measure(nb, folder: Path) -> dict:
    km = kernel_manager()
    client = NotebookClient(nb, km=km, timeout=1800, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(folder)}})
    start = time.perf_counter()
    try:
        client.execute(stderr=subprocess.DEVNULL)  # our km: the kernel stays up afterwards
        seconds = time.perf_counter() - start
        time.sleep(1.0)  # let the kernel settle back to idle
        return {**proc_memory(km.provisioner.pid), "seconds_to_run": round(seconds, 1)}
    finally:
        km.shutdown_kernel(now=True)


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    import numpy

    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    return {"processor": cpu, "cpus": len(os.sched_getaffinity(0)),
            "memory_gib": round(mem / 1024 / 1024, 1), "system": f"{platform.system()} "
            f"{platform.machine()}", "python": platform.python_version(),
            "numpy": numpy.__version__, "load_average_at_start": load}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="default: every lessons/*.ipynb")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    paths = [Path(p).resolve() for p in args.notebooks] or sorted((ROOT / "lessons")
                                                                   .glob("*.ipynb"))
    result = {"what": "memory held by one lesson's kernel after Run All "
                      "(benchmarks/bench_kernel_memory.py)",
              "machine": machine(), "date": datetime.date.today().isoformat(), "kernels": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for folder in ("data", "benchmarks"):  # what lessons read, at ../data and ../benchmarks
            (tmp / folder).symlink_to(ROOT / folder)
        (tmp / "lessons").mkdir()
        baseline = new_notebook(cells=[new_code_cell(
            "import matplotlib.pyplot as plt\nimport numpy as np\n\nimport nnlib", id="imports")])
        rows = [("baseline: numpy, matplotlib, nnlib imported", baseline, tmp / "lessons")]
        for path in paths:
            copy = tmp / "lessons" / path.name
            shutil.copy(path, copy)
            rows.append((f"{path.parent.name}/{path.name}", nbformat.read(copy, as_version=4),
                         copy.parent))
        print(f"{'kernel':48} {'RSS MiB':>8} {'USS MiB':>8} {'peak MiB':>9} {'run s':>7}")
        for name, nb, folder in rows:
            r = measure(nb, folder)
            result["kernels"][name] = r
            print(f"{name:48} {r['rss_mib']:8.0f} {r['uss_mib']:8.0f} {r['peak_rss_mib']:9.0f} "
                  f"{r['seconds_to_run']:7.1f}", flush=True)
    lessons = {k: v for k, v in result["kernels"].items() if k.startswith("lessons/")}
    if len(lessons) > 1:
        result["all_lessons_at_once"] = {
            "rss_mib": round(sum(v["rss_mib"] for v in lessons.values())),
            "uss_mib": round(sum(v["uss_mib"] for v in lessons.values())),
            "note": "every lesson's kernel left running; RSS counts the shared libraries once "
                    "per kernel, USS (private memory) does not"}
        print(f"{'all lessons left running (sum)':48} "
              f"{result['all_lessons_at_once']['rss_mib']:8.0f} "
              f"{result['all_lessons_at_once']['uss_mib']:8.0f}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
