"""Sharded grading: the shard function (a pure function of the submission's name) and
`nncourse merge`, which must give exactly what one grader run over the whole class gives."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import test_export

from coursetools.merge import (
    MergeError,
    in_shard,
    merge,
    parse_shard,
    select_shard,
    shard_key,
    shard_of,
)
from coursetools.notebooks import exercise_of

ROOT = Path(__file__).resolve().parents[1]
NAMES = [f"student{i:03d}.ipynb" for i in range(300)]


# --------------------------------------------------------------------------- the shard function
def test_parse_shard_counts_from_zero():
    assert parse_shard("0/3") == (0, 3) and parse_shard(" 2 / 3 ") == (2, 3)
    for bad in ("3/3", "1/0", "-1/3", "a/b", "1", "1/3/4"):
        with pytest.raises(ValueError, match="shard"):
            parse_shard(bad)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 50])
def test_shards_partition_any_list(n):
    parts = [select_shard(NAMES, k, n) for k in range(n)]
    assert sorted(sum(parts, [])) == sorted(NAMES)
    assert sum(len(p) for p in parts) == len(NAMES)  # no name in two shards
    assert all(p == [x for x in NAMES if x in p] for p in parts)  # order kept
    if n == 3:
        assert all(70 <= len(p) <= 130 for p in parts), [len(p) for p in parts]


def test_a_shard_depends_only_on_the_name():
    # not on the folder, the list it is in, or the process (str hashes vary per process)
    assert select_shard([Path("/x/ann.ipynb"), Path("/y/bob")], 0, 1) == [
        Path("/x/ann.ipynb"), Path("/y/bob")]
    for name in NAMES[:20]:
        assert select_shard([Path("/somewhere") / name], shard_of(name, 4), 4) == [
            Path("/somewhere") / name]
    code = ("from coursetools.merge import shard_of; "
            f"print([shard_of(n, 5) for n in {NAMES[:40]!r}])")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=dict(os.environ, PYTHONHASHSEED="12345"), check=True)
    assert other.stdout.strip() == str([shard_of(n, 5) for n in NAMES[:40]])
    # pinned: SHA-256 of the name, so every machine and every version agrees
    assert [shard_of(n, 3) for n in ("ann.ipynb", "bob.ipynb", "chen/", "dana")] == [
        _pinned(n, 3) for n in ("ann", "bob", "chen", "dana")]


def _pinned(stem, n):
    import hashlib

    return int.from_bytes(hashlib.sha256(stem.encode()).digest()[:8], "big") % n


def test_names_the_grader_compares_share_a_shard():
    # ann.ipynb and ann/ are one student (the grader notes the duplicate); Ann and ann get
    # keys that depend on each other; "a b" and "a_b" make the same plain key
    for group in (["ann.ipynb", "ann/", "ann", "Ann.ipynb", "ANN"], ["a b.ipynb", "a_b.ipynb"]):
        assert len({shard_key(name) for name in group}) == 1
        for n in (2, 3, 5, 11):
            assert len({shard_of(name, n) for name in group}) == 1
    assert in_shard(b"caf\xe9.ipynb", shard_of(b"caf\xe9.ipynb", 3), 3)  # not UTF-8: still fine


# --------------------------------------------------------------------------- merge, on a real class
_sandbox_options = test_export._sandbox_options  # --no-sandbox where bubblewrap cannot start


def _class(folder: Path) -> None:
    """A small class of lesson 00: full marks, empty, partial, a folder submission, names
    the grader compares (duplicates, case), a name that needs a safe key, a broken file."""
    solutions = nbformat.read(ROOT / "solutions" / "00_welcome.ipynb", as_version=4)
    answers = {exercise_of(c)["id"]: c.source for c in solutions.cells
               if exercise_of(c) and exercise_of(c)["role"] == "answer"}

    def notebook(ids):
        nb = nbformat.read(ROOT / "exercises" / "00_welcome.ipynb", as_version=4)
        for cell in nb.cells:
            meta = exercise_of(cell)
            if meta and meta["role"] == "answer" and meta["id"] in ids:
                cell.source = answers[meta["id"]]
        return nb

    folder.mkdir()
    every = list(answers)
    for name, ids in [("ann", every), ("bob", []), ("chen", every[:2]), ("Dana", every[1:]),
                      ("dana", every[:1]), ("eve smith", every), ("finn", every[2:]),
                      ("gus", every[:3]), ("hana", every)]:
        nbformat.write(notebook(ids), str(folder / f"{name}.ipynb"))
    (folder / "ann").mkdir()
    nbformat.write(notebook(every[:1]), str(folder / "ann" / "00_welcome.ipynb"))
    (folder / "ivy.ipynb").write_text("not a notebook")


def _grade(submissions: Path, out: Path, *options: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "coursetools.cli", "grade", "--assignment",
         str(ROOT / "exercises" / "00_welcome.ipynb"), "--submissions", str(submissions),
         "--out", str(out), "--jobs", "2", *_sandbox_options(), *options],
        capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr


def _without_timing(data):
    data = json.loads(json.dumps(data))
    for row in data["submissions"]:
        row.pop("seconds", None)
    return data


def test_three_shards_merged_are_the_single_run(tmp_path):
    """`nncourse grade --shard K/3` three times over the whole class, then `nncourse merge`:
    each grader grades only its shard, and the merge equals one grader's result."""
    everyone = tmp_path / "submissions"
    _class(everyone)
    _grade(everyone, tmp_path / "single")
    entries = sorted(everyone.iterdir())
    shards = []
    for k in range(3):
        out = tmp_path / f"shard-{k}"
        _grade(everyone, out, "--shard", f"{k}/3")
        shards.append(out)
        report = json.loads((out / "scores.json").read_text())
        assert report["shard"] == f"{k}/3"
        assert len(report["submissions"]) == len(select_shard(entries, k, 3))
    assert all(len(json.loads((s / "scores.json").read_text())["submissions"]) for s in shards)
    done = subprocess.run([sys.executable, "-m", "coursetools.cli", "merge", *map(str, shards),
                           "--out", str(tmp_path / "merged")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    single, merged = tmp_path / "single", tmp_path / "merged"
    assert (merged / "scores.csv").read_bytes() == (single / "scores.csv").read_bytes()
    one = json.loads((single / "scores.json").read_text())
    assert _without_timing(json.loads((merged / "scores.json").read_text())) == \
        _without_timing(one)
    assert sorted(p.name for p in (merged / "feedback").iterdir()) == sorted(
        p.name for p in (single / "feedback").iterdir())
    for path in (single / "feedback").iterdir():
        assert (merged / "feedback" / path.name).read_bytes() == path.read_bytes()
    totals = {r["student"]: r["total"] for r in one["submissions"]}
    assert totals["ann"] == 7 and totals["bob"] == 0 and len(one["submissions"]) == 11


# --------------------------------------------------------------------------- merge, refusals
def _report(folder: Path, rows, assignment="00_welcome", shard=None):
    """A small grader report: scores.json, scores.csv and feedback files."""
    folder.mkdir(parents=True)
    (folder / "feedback").mkdir()
    data = {"assignment": assignment, "exercises": [{"id": "00.1-x", "points": 2}],
            "possible": 2, "submissions": []}
    if shard:
        data["shard"] = shard
    with open(folder / "scores.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "status", "00.1-x", "total", "possible", "file", "notes"])
        for name, points in rows:
            data["submissions"].append({
                "student": name, "file": f"{name}.ipynb", "feedback_file": f"feedback/{name}.txt",
                "status": "ok", "points": {"00.1-x": points}, "total": points, "possible": 2,
                "notes": ["a, \"quoted\"\nnote"] if name == "zoe" else []})
            writer.writerow([name, "ok", points, points, 2, f"{name}.ipynb",
                             "a, \"quoted\"\nnote" if name == "zoe" else ""])
            (folder / "feedback" / f"{name}.txt").write_text(f"{name}: {points}/2\n")
    (folder / "scores.json").write_text(json.dumps(data, indent=1) + "\n")
    return folder


def test_merge_orders_rows_like_the_grader(tmp_path):
    a = _report(tmp_path / "a", [("bob", 2), ("zoe", 0)], shard="1/2")
    b = _report(tmp_path / "b", [("amy", 2), ("carl", 1)], shard="0/2")
    merged = merge([a, b], tmp_path / "out")
    assert "shard" not in merged
    assert [r["student"] for r in merged["submissions"]] == ["amy", "bob", "carl", "zoe"]
    with open(tmp_path / "out" / "scores.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert [r[0] for r in rows] == ["student", "amy", "bob", "carl", "zoe"]
    assert rows[-1][-1] == "a, \"quoted\"\nnote"
    assert (tmp_path / "out" / "feedback" / "zoe.txt").read_text() == "zoe: 0/2\n"


@pytest.mark.parametrize("problem, match", [
    ("no scores", "no scores.json"),
    ("other assignment", "same assignment"),
    ("same student twice", "graded in both"),
    ("missing shard", "shard\\(s\\) 2/3 are missing"),
    ("out is a shard", "one of the shard folders"),
])
def test_merge_refuses_shards_that_do_not_fit(tmp_path, problem, match):
    a = _report(tmp_path / "a", [("amy", 2)], shard="0/3")
    b_rows = [("amy", 1)] if problem == "same student twice" else [("bob", 1)]
    b = _report(tmp_path / "b", b_rows, shard="1/3",
                assignment="03_activations" if problem == "other assignment" else "00_welcome")
    if problem == "no scores":
        (b / "scores.json").unlink()
    shards = [a, b]
    if problem != "missing shard":
        shards.append(_report(tmp_path / "c", [("cy", 0)], shard="2/3"))
    out = a if problem == "out is a shard" else tmp_path / "out"
    with pytest.raises(MergeError, match=match):
        merge(shards, out)
    assert not (tmp_path / "out").exists()  # nothing written


def test_merge_command_says_what_is_wrong(tmp_path):
    a = _report(tmp_path / "a", [("amy", 2)])
    done = subprocess.run([sys.executable, "-m", "coursetools.cli", "merge", str(a),
                           str(tmp_path / "nothing"), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "no scores.json" in done.stderr
    done = subprocess.run([sys.executable, "-m", "coursetools.cli", "merge", str(a),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode == 0 and "1 submission(s)" in done.stdout


def test_the_kubernetes_example_runs_every_shard_and_merges():
    import yaml

    path = ROOT / "coursetools" / "examples" / "grade-indexed-job.yaml"
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    job = next(d for d in docs if d["kind"] == "Job" and d["spec"].get("completionMode"))
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed" and spec["completions"] >= 2
    container = spec["template"]["spec"]["containers"][0]
    command = " ".join(container["command"] + container.get("args", []))
    assert f"--shard ${{JOB_COMPLETION_INDEX}}/{spec['completions']}" in command
    assert "nncourse grade" in command
    merge_job = next(d for d in docs if d["kind"] == "Job" and d is not job)
    merge_command = " ".join(merge_job["spec"]["template"]["spec"]["containers"][0]["command"])
    assert "nncourse merge" in merge_command
