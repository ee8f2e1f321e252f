"""``make update``: a student who ran and saved notebooks gets the course's new version from git
without a conflict, and without losing an exercise they worked on.

Everything happens in throwaway repositories under pytest's tmp_path (a stand-in for the
course's repository and a student's clone of it), never in this repository.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not (shutil.which("git") and shutil.which("make")),
                                reason="needs git and make")


def git(cwd, *args):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org",
                           "-c", "init.defaultBranch=main", *args], cwd=cwd, check=True,
                          capture_output=True, text=True).stdout


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def make_update(clone):
    assert ROOT not in clone.parents  # never near this repository's own files
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=str(clone.parent),
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(["make", "-s", "-f", str(ROOT / "Makefile"), "update"], cwd=clone,
                          env=env, capture_output=True, text=True)


@pytest.fixture
def course(tmp_path):
    """(upstream, clone): the course's repository and a student's clone of it."""
    upstream = tmp_path / "course"
    for name in ("lessons/01_x.ipynb", "solutions/01_x.ipynb", "exercises/01_x.ipynb",
                 "exercises/02_y.ipynb"):
        write(upstream / name, f"{name}: version 1\n")
    git(tmp_path, "init", "-q", str(upstream))
    git(upstream, "add", ".")
    git(upstream, "commit", "-q", "-m", "v1")
    git(tmp_path, "clone", "-q", str(upstream), "clone")
    return upstream, tmp_path / "clone"


def test_update_resets_what_was_only_run_keeps_the_exercises_and_backs_everything_up(course):
    upstream, clone = course
    # the student runs a lesson and saves it, works on two exercises, starts a notebook of theirs
    write(clone / "lessons/01_x.ipynb", "lessons/01_x.ipynb: version 1, run and saved\n")
    write(clone / "exercises/01_x.ipynb", "exercises/01_x.ipynb: my answers\n")
    write(clone / "exercises/02_y.ipynb", "exercises/02_y.ipynb: my answers\n")
    write(clone / "scratch.ipynb", "my own notebook\n")
    # meanwhile the course re-executes the lesson, changes exercise 01 and adds a lesson
    write(upstream / "lessons/01_x.ipynb", "lessons/01_x.ipynb: version 2\n")
    write(upstream / "exercises/01_x.ipynb", "exercises/01_x.ipynb: version 2\n")
    write(upstream / "lessons/02_y.ipynb", "lessons/02_y.ipynb: version 2\n")
    git(upstream, "add", ".")
    git(upstream, "commit", "-q", "-m", "v2")

    done = make_update(clone)
    assert done.returncode == 0, done.stdout + done.stderr
    assert git(clone, "rev-parse", "HEAD") == git(upstream, "rev-parse", "HEAD")
    assert (clone / "lessons/01_x.ipynb").read_text() == "lessons/01_x.ipynb: version 2\n"
    assert (clone / "lessons/02_y.ipynb").exists()
    assert (clone / "exercises/01_x.ipynb").read_text() == "exercises/01_x.ipynb: my answers\n"
    assert (clone / "exercises/02_y.ipynb").read_text() == "exercises/02_y.ipynb: my answers\n"
    assert (clone / "scratch.ipynb").read_text() == "my own notebook\n"
    [backup] = (clone / "my-backups").iterdir()
    assert sorted(str(p.relative_to(backup)) for p in backup.rglob("*.ipynb")) == [
        "exercises/01_x.ipynb", "exercises/02_y.ipynb", "lessons/01_x.ipynb"]
    assert (backup / "lessons/01_x.ipynb").read_text().endswith("run and saved\n")
    assert "lessons/01_x.ipynb" in done.stdout and "exercises/01_x.ipynb" in done.stdout
    # a second update with nothing new changes nothing and still keeps the answers
    again = make_update(clone)
    assert again.returncode == 0, again.stdout + again.stderr
    assert (clone / "exercises/01_x.ipynb").read_text() == "exercises/01_x.ipynb: my answers\n"


def test_update_outside_a_clone_says_so(tmp_path):
    (tmp_path / "copy").mkdir()
    done = make_update(tmp_path / "copy")
    assert done.returncode != 0 and "not a git clone" in done.stdout
