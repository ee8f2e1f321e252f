"""Grade a class on many machines: pick a shard of the submissions, merge the shards' reports.

    nncourse grade ... --out out/shard-0 --shard 0/3     (on machine 0; likewise 1/3 and 2/3)
    nncourse merge out/shard-0 out/shard-1 out/shard-2 --out out/all

**Sharding.** ``in_shard(name, k, n)`` puts each submission in exactly one of ``n`` shards,
numbered ``0 .. n-1`` (as a Kubernetes Indexed Job's ``JOB_COMPLETION_INDEX``), by a stable hash
(SHA-256) of its name in the submissions folder: the same on every machine, every Python and
every run, and independent of what else is in the folder. The hash is taken of the name as the
grader turns it into a report key (``.ipynb`` removed, characters other than letters, digits,
``_ . -`` made ``_``, lower case), so names the grader would compare with each other
(``ann.ipynb`` and ``ann/``; ``Ann`` and ``ann``) always land in the same shard and get the same
notes and report keys as in a single run.

**Merging.** ``merge(shards, out)`` reads each shard's ``scores.json``, ``scores.csv`` and
``feedback/`` and writes the class's: one row per submission in the grader's own order (by file
name), the same file formats, the feedback files side by side. The shards must grade the same
assignment (same exercises and points); a shard folder without ``scores.json``, a submission or
a feedback file in two shards, or a missing shard (when the shards record ``"shard": "K/N"``)
stops the merge with one sentence per problem and writes nothing. Only the ``scores.json`` fields
it needs are read (``submissions``, each row's ``file``/``student``/``feedback_file``), so new
fields pass through unchanged.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
from pathlib import Path


class MergeError(Exception):
    """The shard folders cannot be merged; ``errors`` holds one sentence per problem."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


# --------------------------------------------------------------------------- sharding
def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` -> ``(2, 3)``; shards are numbered 0 .. N-1. ValueError with a sentence."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(text))
    if not m:
        raise ValueError(f"--shard {text!r}: write K/N, like 0/3 (shard K of N, K from 0 to N-1)")
    k, n = int(m.group(1)), int(m.group(2))
    if n < 1 or not 0 <= k < n:
        raise ValueError(f"--shard {text}: K must be between 0 and {max(n - 1, 0)} for N = {n} "
                         "(shards are numbered from 0, like a Kubernetes JOB_COMPLETION_INDEX)")
    return k, n


def shard_key(name: str | bytes) -> bytes:
    """What the shard of a submission named ``name`` is computed from (see the module doc)."""
    raw = os.fsencode(name)
    raw = raw.rstrip(b"/")
    if raw.endswith(b".ipynb"):
        raw = raw[:-len(b".ipynb")]
    text = raw.decode("utf-8", "replace")
    plain = re.sub(r"[^A-Za-z0-9_.-]", "_", text)[:80].strip(".") or "student"
    return plain.lower().encode()


def shard_of(name: str | bytes, n: int) -> int:
    """The shard (0 .. n-1) of the submission named ``name`` (a file or folder name)."""
    if n < 1:
        raise ValueError("the number of shards must be at least 1")
    digest = hashlib.sha256(shard_key(name)).digest()
    return int.from_bytes(digest[:8], "big") % n


def in_shard(name: str | bytes, k: int, n: int) -> bool:
    return shard_of(name, n) == k


def select_shard(paths, k: int, n: int) -> list:
    """The entries of ``paths`` (Paths, or names) that belong to shard ``k`` of ``n``, in their
    order. A pure function of the names: shards 0 .. n-1 partition any list."""
    if n < 1 or not 0 <= k < n:
        raise ValueError(f"shard {k}/{n} does not exist: K must be between 0 and {n - 1}")
    return [p for p in paths if in_shard(_name_of(p), k, n)]


def _name_of(path) -> str | bytes:
    if isinstance(path, (str, bytes)):
        return os.path.basename(path.rstrip(b"/" if isinstance(path, bytes) else "/")) or path
    return path.name


# --------------------------------------------------------------------------- merging
def _row_order(row: dict) -> bytes:
    """The grader's order of rows: by the entry's name in the submissions folder."""
    name = str(row.get("file") or row.get("student") or "")
    return os.fsencode(name.rstrip("/"))


def _read_shard(folder: Path, errors: list[str]) -> dict | None:
    scores = folder / "scores.json"
    if not scores.is_file():
        errors.append(f"{folder}: no scores.json (did this shard's grader finish? grade it "
                      "again, or leave the folder out on purpose)")
        return None
    try:
        data = json.loads(scores.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        errors.append(f"{folder}/scores.json cannot be read ({type(err).__name__}: {err})")
        return None
    if not isinstance(data, dict) or not isinstance(data.get("submissions"), list):
        errors.append(f"{folder}/scores.json has no list of submissions; is it a grader's "
                      "report?")
        return None
    return data


def _read_csv(folder: Path, errors: list[str]) -> tuple[list[str], list[list[str]]] | None:
    path = folder / "scores.csv"
    if not path.is_file():
        errors.append(f"{folder}: no scores.csv")
        return None
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        errors.append(f"{folder}/scores.csv is empty")
        return None
    return rows[0], rows[1:]


def merge(shards: list[str | Path], out: str | Path) -> dict:
    """Merge the reports of ``shards`` into ``out`` (scores.json, scores.csv, feedback/).

    Returns the merged scores.json data. Raises MergeError, before writing anything, when the
    shards do not fit together.
    """
    folders = [Path(s) for s in shards]
    out = Path(out)
    errors: list[str] = []
    if not folders:
        raise MergeError(["give at least one shard folder"])
    if len({f.resolve() for f in folders}) != len(folders):
        errors.append("a shard folder is given twice")
    if any(out.resolve() == f.resolve() for f in folders):
        errors.append(f"--out {out} is one of the shard folders; write the merge elsewhere")
    datas = [(f, _read_shard(f, errors)) for f in folders]
    csvs = [(f, _read_csv(f, errors)) for f in folders]
    if errors:
        raise MergeError(errors)

    first_folder, first = datas[0]
    for key in ("assignment", "exercises", "possible"):
        for folder, data in datas[1:]:
            if data.get(key) != first.get(key):
                errors.append(f"{folder} graded {key} {data.get(key)!r} but {first_folder} "
                              f"graded {first.get(key)!r}: shards must grade the same assignment")
    _check_shard_labels(datas, errors)

    rows, row_folders, seen_files, seen_feedback = [], [], {}, {}
    for folder, data in datas:
        for row in data["submissions"]:
            name = str(row.get("file") or row.get("student"))
            if name in seen_files:
                errors.append(f"{name} is graded in both {seen_files[name]} and {folder}; a "
                              "submission belongs to one shard")
            seen_files[name] = folder
            feedback = row.get("feedback_file")
            if feedback:
                if feedback in seen_feedback:
                    errors.append(f"{feedback} is written by both {seen_feedback[feedback]} and "
                                  f"{folder}")
                seen_feedback[feedback] = folder
                if not (folder / feedback).is_file():
                    errors.append(f"{folder}/{feedback} is missing (named in its scores.json)")
            rows.append(row)
            row_folders.append(folder)

    header = csvs[0][1][0]
    csv_rows = []
    for folder, (head, body) in csvs:
        if head != header:
            errors.append(f"{folder}/scores.csv has the columns {head}, but "
                          f"{csvs[0][0]}/scores.csv has {header}")
        csv_rows.extend(body)
    if len(csv_rows) != len(rows):
        errors.append(f"the shards' scores.csv hold {len(csv_rows)} rows but their scores.json "
                      f"{len(rows)}; is a shard still being written?")
    if errors:
        raise MergeError(errors)

    order = sorted(range(len(rows)), key=lambda i: _row_order(rows[i]))
    merged = dict(first)
    merged["submissions"] = [rows[i] for i in order]
    for label in ("shard",):  # a merged report is the whole class, not a shard
        merged.pop(label, None)
    feedback = [(row_folders[i], rows[i].get("feedback_file")) for i in order]
    _write_merged(out, merged, header, [csv_rows[i] for i in order], feedback)
    return merged


def _check_shard_labels(datas, errors: list[str]) -> None:
    """When the shards record ``"shard": "K/N"``, every K of 0 .. N-1 must be there once."""
    labels = {}
    for folder, data in datas:
        if "shard" in data:
            try:
                labels[folder] = parse_shard(data["shard"])
            except ValueError as err:
                errors.append(f"{folder}/scores.json: {err}")
    if not labels:
        return
    counts = {n for _, n in labels.values()}
    if len(counts) > 1 or len(labels) != len(datas):
        errors.append("the shards were made with different N (or some do not say): "
                      + ", ".join(f"{f}: {data.get('shard', '?')}" for f, data in datas))
        return
    n = counts.pop()
    have = sorted(k for k, _ in labels.values())
    missing = sorted(set(range(n)) - set(have))
    if missing:
        errors.append(f"shard(s) {', '.join(f'{k}/{n}' for k in missing)} are missing: give "
                      f"all {n} shard folders")
    if len(have) != len(set(have)):
        errors.append("a shard appears twice: " + ", ".join(f"{k}/{n}" for k in have))


def _write_merged(out: Path, merged: dict, header, csv_rows, feedback) -> None:
    """Write the merged reports as the grader writes its own: each file to a temporary name,
    then renamed into place. ``feedback``: ``[(shard folder, "feedback/<key>.txt")]``."""
    out.mkdir(parents=True, exist_ok=True)
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(csv_rows)
    _atomic_write(out / "scores.csv", text.getvalue())
    _atomic_write(out / "scores.json",
                  json.dumps(merged, indent=1, ensure_ascii=False) + "\n")
    folder = out / "feedback"
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        folder.unlink()
    folder.mkdir(exist_ok=True)
    for shard, name in feedback:
        if name:
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(target, (shard / name).read_bytes())


def _atomic_write(path: Path, content: str | bytes) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------------------- the command
def main(args) -> int:
    import sys

    try:
        merged = merge(args.shards, args.out)
    except MergeError as err:
        print(f"nncourse merge: {len(err.errors)} problem(s), nothing written:", file=sys.stderr)
        for line in err.errors:
            print(f"  - {line}", file=sys.stderr)
        return 1
    out = Path(args.out)
    print(f"merged {len(args.shards)} shard(s), {len(merged['submissions'])} submission(s): "
          f"{out / 'scores.csv'}, {out / 'scores.json'}, {out / 'feedback'}/")
    return 0


def add_arguments(sub) -> None:
    p = sub.add_parser("merge", help="merge the reports of graded shards into one",
                       description="Merge the output folders of `nncourse grade --shard K/N` "
                       "runs (scores.csv, scores.json, feedback/) into one folder, rows in the "
                       "grader's order.")
    p.add_argument("shards", nargs="+", metavar="SHARD_DIR", help="the shards' --out folders")
    p.add_argument("--out", required=True, help="folder for the merged reports")
    p.set_defaults(func=main)
