"""``nncourse build``: exercises/ generated from solutions/, byte for byte, with clear errors."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from coursetools.build import (
    BuildError,
    analyse,
    build,
    exercise_notebook,
    release,
    strip_hidden_tests,
    stub_answer,
)
from coursetools.cli import main
from coursetools.notebooks import KERNELSPEC, RAISES_EXCEPTION, dumps, exercise_of

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


# --------------------------------------------------------------------------- the real course
@pytest.mark.parametrize("source", SOLUTIONS, ids=lambda p: p.name)
def test_exercises_notebook_is_up_to_date(source, tmp_path):
    [result] = build(ROOT / "solutions", tmp_path, names=[source.name])
    committed = ROOT / "exercises" / source.name
    assert committed.exists(), f"exercises/{source.name} is missing: run `nncourse build`"
    assert committed.read_bytes() == result.text.encode(), (
        f"exercises/{source.name} is stale: run `nncourse build` and commit it")


def test_every_exercises_notebook_has_a_source():
    sources = {p.name for p in SOLUTIONS}
    extra = [p.name for p in (ROOT / "exercises").glob("*.ipynb") if p.name not in sources]
    assert not extra, f"exercises without a solutions notebook: {extra}"


@pytest.mark.parametrize("source", SOLUTIONS, ids=lambda p: p.name)
def test_points_in_every_notebook_match_the_registered_checks(source):
    analysis = analyse(nbformat.read(source, as_version=4), source.name)
    assert analysis.errors == []
    assert analysis.exercises, f"{source.name} has no exercises"


def test_build_is_deterministic_and_formatted_like_nbformat(tmp_path):
    build(ROOT / "solutions", tmp_path / "a", names=["00"])
    build(ROOT / "solutions", tmp_path / "b", names=["00"])
    a = (tmp_path / "a" / "00_welcome.ipynb").read_bytes()
    assert a == (tmp_path / "b" / "00_welcome.ipynb").read_bytes()
    assert a.endswith(b"}\n")
    assert a.decode() == dumps(nbformat.reads(a.decode(), as_version=4))


def test_rebuilding_an_unchanged_source_leaves_the_file_alone(tmp_path):
    [first] = build(ROOT / "solutions", tmp_path, names=["00"])
    mtime = first.notebook.stat().st_mtime_ns
    [again] = build(ROOT / "solutions", tmp_path, names=["00"])
    assert (first.status, again.status) == ("written", "unchanged")
    assert first.notebook.stat().st_mtime_ns == mtime


def test_welcome_exercises_have_stubs_read_only_checks_no_outputs_and_the_same_cell_ids():
    source = nbformat.read(ROOT / "solutions" / "00_welcome.ipynb", as_version=4)
    built = nbformat.read(ROOT / "exercises" / "00_welcome.ipynb", as_version=4)
    assert [c.id for c in built.cells] == [c.id for c in source.cells]
    for cell in built.cells:
        assert "BEGIN SOLUTION" not in cell.source and "HIDDEN" not in cell.source
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert "execution" not in cell.metadata
        meta = exercise_of(cell)
        if meta and meta["role"] == "check":
            assert cell.metadata["editable"] is False and cell.metadata["deletable"] is False
        if meta and meta["role"] == "answer":
            assert "not written yet" in cell.source or "= None  # your answer" in cell.source
    assert "widgets" not in built.metadata
    assert built.metadata["kernelspec"] == KERNELSPEC  # what JupyterLab writes: opens unmodified


@pytest.mark.parametrize("source", SOLUTIONS, ids=lambda p: p.name)
def test_every_check_cell_of_the_exercises_and_only_it_is_tagged_raises_exception(source):
    """Run All in JupyterLab goes on past a failing cell tagged raises-exception (nbval and
    nbclient too): an unfinished exercise must not stop the later checks and the score table.
    The solutions, whose checks pass, are left untagged."""
    built = nbformat.read(ROOT / "exercises" / source.name, as_version=4)
    for cell in built.cells:
        meta = exercise_of(cell)
        tags = cell.metadata.get("tags", [])
        if meta and meta["role"] == "check":
            assert tags.count(RAISES_EXCEPTION) == 1, (source.name, meta["id"], tags)
        else:
            assert RAISES_EXCEPTION not in tags, (source.name, cell.get("id"))
    for cell in nbformat.read(source, as_version=4).cells:
        assert RAISES_EXCEPTION not in cell.metadata.get("tags", []), (source.name, cell.id)


def test_the_tag_is_added_once_beside_the_authors_own_tags():
    check_cell = cell('check("00.1-column-means", column_means)', role="check", id="chk")
    check_cell.metadata["tags"] = ["mine", RAISES_EXCEPTION]
    nb = notebook(cell("def column_means(X):\n    ### BEGIN SOLUTION\n    return 1\n"
                       "    ### END SOLUTION", id="ans"), check_cell)
    [_, out] = exercise_notebook(nb).cells
    assert out.metadata["tags"] == ["mine", RAISES_EXCEPTION]
    assert check_cell.metadata["tags"] == ["mine", RAISES_EXCEPTION]  # the source is untouched


# --------------------------------------------------------------------------- stubs
def test_a_function_body_becomes_a_comment_and_a_plain_words_not_implemented_error():
    source = (
        'def sigmoid(z):\n'
        '    """Docstring kept."""\n'
        '    ### BEGIN SOLUTION\n'
        '    return 1 / (1 + np.exp(-z))\n'
        '    ### END SOLUTION\n'
    )
    stub, errors = stub_answer(source)
    assert errors == []
    assert stub == (
        'def sigmoid(z):\n'
        '    """Docstring kept."""\n'
        '    # Your code here: write the body of sigmoid (see the task above), then run this '
        'cell.\n'
        '    raise NotImplementedError("sigmoid: not written yet — replace this line with your '
        'code")\n'
    )


def test_a_top_level_value_becomes_none_with_a_comment():
    stub, errors = stub_answer("### BEGIN SOLUTION\nw_nand = np.array([-2, -2])\nb = 3\n"
                               "### END SOLUTION")
    assert errors == []
    assert stub.splitlines() == [
        "w_nand = None  # your answer: replace None (see the task above), then run this cell",
        "b = None  # your answer: replace None (see the task above), then run this cell",
    ]


def test_stub_lines_written_by_the_author_replace_the_default():
    stub, _ = stub_answer(
        "def f(x):\n    ### BEGIN SOLUTION\n    ### STUB: return None  # square x\n"
        "    ### STUB:     # keep this indentation\n    return x * x\n    ### END SOLUTION")
    assert stub.splitlines() == ["def f(x):", "    return None  # square x",
                                 "        # keep this indentation"]


def test_two_solution_blocks_in_one_cell_give_two_stubs():
    stub, _ = stub_answer("def f(x):\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"
                          "\n\n\ndef g(x):\n    ### BEGIN SOLUTION\n    return 2\n"
                          "    ### END SOLUTION")
    assert stub.count("NotImplementedError") == 2
    assert '"f: not written' in stub and '"g: not written' in stub


def test_hidden_tests_are_removed_with_their_markers():
    src = 'check("00.1-x", f)\n### BEGIN HIDDEN TESTS\nassert f(2) == 4\n### END HIDDEN TESTS\n'
    assert strip_hidden_tests(src) == 'check("00.1-x", f)'


# --------------------------------------------------------------------------- malformed sources
def notebook(*cells):
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def cell(source, eid="00.1-column-means", points=2, role="answer", id=None):
    c = new_code_cell(source, id=id or f"c{abs(hash((source, role))) % 10**8}")
    if role:
        c.metadata["exercise"] = {"id": eid, "points": points, "role": role}
        if eid is None:
            del c.metadata["exercise"]["id"]
    return c


ANSWER = "def column_means(X):\n    ### BEGIN SOLUTION\n    return X.mean(0)\n    ### END SOLUTION"
CHECK = 'check("00.1-column-means", column_means)'


def errors_of(*cells, name="00_test.ipynb"):
    return analyse(notebook(*cells), name).errors


def test_a_well_formed_notebook_has_no_errors():
    assert errors_of(cell(ANSWER), cell(CHECK, role="check")) == []


@pytest.mark.parametrize("cells, message", [
    ([cell(ANSWER), cell(CHECK, eid=None, role="check")], "check cell without an exercise id"),
    ([cell("def column_means(X):\n    return 1"), cell(CHECK, role="check")],
     "without '### BEGIN SOLUTION'"),
    ([cell(ANSWER, points=5), cell(CHECK, points=5, role="check")],
     "has 5 points in the notebook but 2 in nnlib/checks/lesson00.py"),
    ([cell(ANSWER), cell(CHECK, role="check"), cell(CHECK + " ", role="check")],
     "a second check cell for 00.1-column-means"),
    ([cell(ANSWER)], "has no check cell"),
    ([cell(CHECK, role="check")], "has no answer cell"),
    ([cell(CHECK, role="check"), cell(ANSWER)], "comes after its check cell"),
    ([cell(ANSWER, eid="00.9-nothing"), cell(CHECK, eid="00.9-nothing", role="check")],
     "no check is registered"),
    ([cell(ANSWER, eid="03.1-sigmoid"), cell(CHECK, eid="03.1-sigmoid", role="check")],
     "does not belong in lesson 00"),
    ([cell(ANSWER, eid="sigmoid"), cell(CHECK, eid="sigmoid", role="check")], "not of the form"),
    ([cell(ANSWER.replace("    ### END SOLUTION", "")), cell(CHECK, role="check")],
     "is never closed"),
    ([cell(ANSWER, role=None), cell(CHECK, role="check")], "no exercise metadata"),
    ([cell(ANSWER), cell(CHECK, role="test")], "role 'test'"),
    ([cell("### BEGIN SOLUTION\nprint(1)\n### END SOLUTION"), cell(CHECK, role="check")],
     "assigns no name"),
    ([cell(ANSWER), cell(CHECK + "\n### BEGIN HIDDEN TESTS\nassert 1", role="check")],
     "is never closed"),
    ([cell(ANSWER + "\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS"), cell(CHECK, role="check")],
     "hidden tests belong in the check cell"),
    ([cell(ANSWER), cell(CHECK, role="check"), cell('summary(["00.2-predict"])', role=None)],
     "summary lists"),
])
def test_malformed_sources_are_reported_in_one_sentence(cells, message):
    errors = errors_of(*cells)
    assert any(message in e for e in errors), errors
    assert all(e.startswith("00_test.ipynb") for e in errors)


def test_markers_in_a_markdown_cell_are_an_error():
    md = new_markdown_cell("### BEGIN SOLUTION\nx\n### END SOLUTION", id="m")
    assert any("markdown cell cannot hold" in e
               for e in errors_of(md, cell(ANSWER), cell(CHECK, role="check")))


def test_build_refuses_to_write_anything_when_a_source_is_malformed(tmp_path):
    src, out = tmp_path / "solutions", tmp_path / "exercises"
    src.mkdir()
    shutil.copy(ROOT / "solutions" / "00_welcome.ipynb", src)
    nbformat.write(notebook(cell(ANSWER), cell(CHECK, points=3, role="check")),
                   src / "00_broken.ipynb")
    with pytest.raises(BuildError) as info:
        build(src, out)
    assert any("00_broken.ipynb" in e and "3 points here but 2" in e for e in info.value.errors)
    assert not out.exists()


def test_the_command_reports_problems_and_checks_staleness(tmp_path, capsys):
    src = tmp_path / "solutions"
    src.mkdir()
    shutil.copy(ROOT / "solutions" / "00_welcome.ipynb", src)
    args = ["build", "--solutions", str(src)]
    assert main(args + ["--check"]) == 1 and "stale" in capsys.readouterr().err
    assert main(args) == 0 and "written" in capsys.readouterr().out
    assert main(args + ["--check"]) == 0 and "up to date" in capsys.readouterr().out
    nbformat.write(notebook(cell(ANSWER), cell(CHECK, eid=None, role="check")),
                   src / "00_broken.ipynb")
    assert main(args) == 1
    assert "check cell without an exercise id" in capsys.readouterr().err


def test_the_installed_command_runs():
    result = subprocess.run([sys.executable, "-m", "coursetools.cli", "build", "--check", "00"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_release_writes_the_exercises_and_a_manifest_of_ids_points_and_check_hashes(tmp_path):
    results = build(ROOT / "solutions", tmp_path / "exercises", names=["00"])
    manifest = json.loads(release(results, tmp_path / "release").read_text())
    [book] = manifest["notebooks"]
    assert book["notebook"] == "exercises/00_welcome.ipynb" and book["points"] == 7
    assert [e["id"] for e in book["exercises"]] == [
        "00.1-column-means", "00.2-predict", "00.3-output-shape", "00.4-standardize"]
    assert all(len(e["check_sha256"]) == 64 for e in book["exercises"])
    released = tmp_path / "release" / "exercises" / "00_welcome.ipynb"
    assert released.read_bytes() == (ROOT / "exercises" / "00_welcome.ipynb").read_bytes()
    again = json.loads(release(results, tmp_path / "release2").read_text())
    assert again == manifest


def test_exercise_notebook_keeps_markdown_and_plain_code_cells_untouched():
    nb = notebook(new_markdown_cell("# Title", id="t"), new_code_cell("import numpy as np", id="s"),
                  cell(ANSWER), cell(CHECK, role="check"))
    out = exercise_notebook(nb)
    assert out.cells[0].source == "# Title" and out.cells[1].source == "import numpy as np"
    assert nb.cells[2].source == ANSWER  # the source notebook is not modified


def test_the_tooling_skips_the_slow_iri_checker_and_still_validates_notebooks():
    """coursetools keeps jsonschema from building Lark parsers (3-4 s per process here)."""
    code = ("import sys, coursetools, nbformat\n"
            "nb = nbformat.read(sys.argv[1], as_version=4)\n"
            "nbformat.validate(nb)\n"
            "nb.cells[0]['cell_type'] = 'nonsense'\n"
            "try:\n    nbformat.validate(nb)\nexcept nbformat.ValidationError:\n"
            "    print('invalid notebook rejected')\n"
            "print('lark loaded' if 'lark' in sys.modules else 'lark not loaded')\n")
    notebook = ROOT / "solutions" / "00_welcome.ipynb"
    result = subprocess.run([sys.executable, "-c", code, str(notebook)],
                            capture_output=True, text=True, check=True)
    assert result.stdout.split("\n")[:2] == ["invalid notebook rejected", "lark not loaded"]
