"""What a student sees in JupyterLab (issue 14, items 2-5), measured in the real page.

* explorers: every slider's track is wide enough to aim (>= 250 px), no label or readout is cut
  off, a range of 10,000 images has a number box to type into, and typing into it redraws;
* dragging a slider's handle with the mouse (press, move 100 px, release) moves its readout and
  redraws the figure, in the explorers of lessons 01, 05, 07 and 10;
* an explorer cell that has not been run reads as a sentence, never as ``VBox(children=...``;
* a failing check: what failed on the first line, wrapped at words (no word broken by the
  page), the hint on its own line;
* a check run before its answer cell: one line, and the cell is still an error.

Same JupyterLab, Chromium and fixtures as tests/test_browser.py (skipped without them, unless
NNCOURSE_REQUIRE_BROWSER=1).
"""

import json
import re

import test_browser
from test_browser import TOKEN, copy_into_lab, run_all_cells

from nnlib.checking import WRAP
from nnlib.widgets import EXPLORER_TEXT

# tests/test_browser.py's fixtures: the JupyterLab server (module scope) and Chromium
lab = test_browser.lab
browser = test_browser.browser

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def write_notebook(root, name, sources, outputs=None):
    cells = [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None,
              "outputs": (outputs or {}).get(i, []), "source": source}
             for i, source in enumerate(sources)]
    nb = {"cells": cells, "metadata": {"kernelspec": KERNELSPEC}, "nbformat": 4,
          "nbformat_minor": 5}
    (root / name).write_text(json.dumps(nb))
    return name


def cell_node(page, index):
    """Give cell ``index``'s node an id (JupyterLab renders only cells near the viewport) and
    scroll it into view; returns its CSS selector."""
    page.evaluate(
        "i => { const w = window.jupyterapp.shell.currentWidget;"
        " document.querySelectorAll('#nn-cell').forEach(n => n.removeAttribute('id'));"
        " w.content.activeCellIndex = i; w.content.scrollToItem(i, 'start');"
        " w.content.widgets[i].node.id = 'nn-cell'; }", index)
    page.locator("#nn-cell").scroll_into_view_if_needed()
    return "#nn-cell"


def model_outputs(page, index):
    return page.evaluate(
        "i => window.jupyterapp.shell.currentWidget.content.widgets[i].model.outputs.toJSON()",
        index)


MEASURE = """sel => {
  const cell = document.querySelector(sel);
  const width = e => e.getBoundingClientRect().width;
  const clipped = e => e.scrollWidth > e.clientWidth;
  const visible = e => e.offsetParent !== null;
  return {
    tracks: [...cell.querySelectorAll('.widget-hslider .slider-container')].map(width),
    readouts: [...cell.querySelectorAll('.widget-readout')].filter(visible)
      .map(e => [e.innerText, clipped(e)]),
    labels: [...cell.querySelectorAll('.widget-label')].filter(visible)
      .map(e => [e.innerText, clipped(e)]),
    boxes: [...cell.querySelectorAll('input[type=number]')].map(e => [e.value, width(e)]),
    img: (cell.querySelector('.jp-OutputArea-output img') || {}).src || '',
  };
}"""


def test_explorer_sliders_are_wide_enough_to_aim_and_nothing_is_cut_off(lab, browser):
    base, root = lab
    path = write_notebook(root, "explorers.ipynb", [
        "import numpy as np\nfrom nnlib import mlp\n"
        "from nnlib.widgets import activation_explorer, digit_explorer",
        "activation_explorer()",  # lesson 03: its "z range" readout was cut off
        # lesson 10's explorer over 10,000 images (an untrained model: only the controls matter)
        "digit_explorer(mlp([784, 10], rng=0), np.random.default_rng(0).random((10_000, 784)),"
        " np.arange(10_000) % 10)",
    ])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    run_all_cells(page, base, path)
    for index, n_sliders in ((1, 3), (2, 3)):
        sel = cell_node(page, index)
        page.wait_for_selector(f"{sel} .widget-hslider .slider-container", timeout=30_000)
        page.wait_for_timeout(500)  # the readouts are sized after the first paint
        seen = page.evaluate(MEASURE, sel)
        assert len(seen["tracks"]) == n_sliders, seen
        assert all(track >= 250 for track in seen["tracks"]), seen
        assert seen["readouts"] and not [r for r in seen["readouts"] if r[1]], seen
        assert seen["labels"] and not [label for label in seen["labels"] if label[1]], seen
    assert ["−6.0 – 6.0", False] in page.evaluate(MEASURE, cell_node(page, 1))["readouts"]

    # lesson 10: a number box beside the image slider; typing a number redraws the figure
    sel = cell_node(page, 2)
    seen = page.evaluate(MEASURE, sel)
    assert len(seen["boxes"]) == 1 and seen["boxes"][0][0] == "0", seen
    assert seen["boxes"][0][1] >= 100, seen
    box = page.locator(f"{sel} input[type=number]")
    box.fill("1234")
    box.press("Enter")
    page.wait_for_function(
        "sel => [...document.querySelectorAll(sel + ' .widget-readout')]"
        ".some(e => e.innerText === '1234')", arg=sel, timeout=30_000)
    page.wait_for_function(
        "([sel, before]) => { const img = document.querySelector(sel + "
        "' .jp-OutputArea-output img'); return img && img.src !== before; }",
        arg=[sel, seen["img"]], timeout=30_000)
    page.close()


def drag_slider(page, sel, description, dx):
    """Drag, with the mouse, the handle of the slider labelled ``description`` in the cell
    ``sel`` by ``dx`` px along its track: press on the handle, move in steps, release.

    Returns the readout's text before the drag and how far the handle moved, in px."""
    label = page.locator(".widget-label", has_text=re.compile(f"^{re.escape(description)}$"))
    control = page.locator(f"{sel} .widget-hslider").filter(has=label)
    assert control.count() == 1, f"no single slider labelled {description!r}"
    handle = control.locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    before = handle.bounding_box()
    x, y = before["x"] + before["width"] / 2, before["y"] + before["height"] / 2
    # the press lands on the handle itself, not on the track (a click there also jumps)
    assert handle.evaluate(
        "(h, [x, y]) => h.contains(document.elementFromPoint(x, y))", [x, y]), description
    readout = control.locator(".widget-readout").inner_text()
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=20)
    page.mouse.up()
    return readout, handle.bounding_box()["x"] - before["x"]


# One explorer of each kind a lesson shows, its call as in the lesson, and the slider to drag.
DRAGGED = [
    # (lesson, cell source, slider, px to drag)
    ("01", "perceptron_explorer()", "w1", -100),  # w1 from 1.00 to about -1: the line turns
    ("05", "gradient_descent_explorer(x, y, lr=0.1, w0=-1.0, steps=20)", "lr", 100),
    ("07", 'training_explorer(dataset="spirals", hidden=16, layers=2, lr=1.0, epoch=3000,'
           " epochs=3000)", "epoch", -100),  # back through training, from epoch 3000
    ("10", "digit_explorer(mlp([784, 10], rng=0), images, np.arange(10_000) % 10)", "image",
     100),  # an untrained model: only the image must change
]


def test_dragging_a_slider_redraws_the_figure_of_each_explorer(lab, browser):
    """Lessons 01, 05, 07 and 10: drag one slider of each explorer 100 px with the mouse; its
    handle follows, its readout shows a new value, and the figure below is redrawn."""
    base, root = lab
    setup = ("import numpy as np\nfrom nnlib import mlp\n"
             "from nnlib.widgets import (digit_explorer, gradient_descent_explorer,"
             " perceptron_explorer,\n    training_explorer)\n"
             # lesson 05's spring data, as its notebook builds it
             "rng = np.random.default_rng(5)\nx = rng.uniform(0.0, 2.0, size=20)\n"
             "y = 3.0 * x + rng.normal(0.0, 0.4, size=20)\n"
             "images = np.random.default_rng(0).random((10_000, 784))")
    path = write_notebook(root, "dragging.ipynb", [setup] + [row[1] for row in DRAGGED])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    run_all_cells(page, base, path)
    for index, (lesson, _, description, dx) in enumerate(DRAGGED, start=1):
        sel = cell_node(page, index)
        page.wait_for_selector(f"{sel} .jp-OutputArea-output img", timeout=60_000)
        page.wait_for_timeout(500)  # the controls are laid out after the first paint
        image = page.evaluate(MEASURE, sel)["img"]
        assert image.startswith("data:image/png"), (lesson, image[:80])
        readout, moved = drag_slider(page, sel, description, dx)
        # the handle followed the mouse: a drag, not a click on the spot
        assert abs(moved) >= 50 and (moved > 0) == (dx > 0), (lesson, description, moved)
        page.wait_for_function(
            "([sel, label, before]) => [...document.querySelectorAll(sel + ' .widget-hslider')]"
            ".some(s => s.querySelector('.widget-label').innerText === label"
            " && s.querySelector('.widget-readout').innerText !== before)",
            arg=[sel, description, readout], timeout=30_000)
        page.wait_for_function(
            "([sel, before]) => { const img = document.querySelector(sel + "
            "' .jp-OutputArea-output img'); return img && img.src !== before; }",
            arg=[sel, image], timeout=90_000)
    page.close()


def test_an_unrun_explorer_reads_as_a_sentence_not_python(lab, browser):
    """An executed lesson opened before its cells run shows each explorer's text/plain form:
    with the widget state not saved (``nncourse execute``), that is all it can show."""
    base, root = lab
    saved = {"output_type": "execute_result", "execution_count": 1, "metadata": {},
             "data": {"text/plain": EXPLORER_TEXT}}
    path = write_notebook(root, "unrun.ipynb", ["from nnlib.widgets import activation_explorer",
                                                "activation_explorer()"], {1: [saved]})
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/lab/tree/{path}?token={TOKEN}&reset",
              wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-OutputArea-output", timeout=90_000)
    page.wait_for_timeout(2_000)
    shown = page.locator(f"{cell_node(page, 1)} .jp-OutputArea-output").inner_text()
    assert shown.strip() == EXPLORER_TEXT and "children" not in shown
    assert page.locator(".widget-hslider").count() == 0  # no slider that moves without effect
    page.close()


def test_a_trusted_executed_lesson_shows_no_slider_that_moves_nothing(lab, browser):
    """Lesson 03 as committed, opened before any cell runs and trusted (as it is once a student
    has run and saved it): its explorer must read as the sentence, not as dead sliders."""
    base, root = lab
    path = "lessons/03_activations.ipynb"
    copy_into_lab(root, path)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/lab/tree/{path}?token={TOKEN}&reset", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:trust'); }")
    page.locator(".jp-Dialog .jp-mod-accept").click(timeout=30_000)
    index = page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.content.widgets"
        ".findIndex(c => c.model.sharedModel.getSource().trim() === 'activation_explorer()')")
    assert index > 0
    sel = cell_node(page, index)
    page.wait_for_timeout(3_000)  # JupyterLab re-renders trusted outputs
    assert page.evaluate(
        "i => window.jupyterapp.shell.currentWidget.content.widgets[i].model.trusted", index)
    assert page.locator(f"{sel} .widget-hslider").count() == 0
    shown = page.locator(f"{sel} .jp-Cell-outputArea .jp-OutputArea-output").first.inner_text()
    assert shown.strip() == EXPLORER_TEXT, shown
    page.close()


def error_text_and_lines(page, index):
    """The error output of cell ``index`` as the page shows it: its text and the number of
    lines it takes on screen (a line the page wraps counts twice)."""
    sel = cell_node(page, index)
    page.wait_for_selector(f"{sel} .jp-OutputArea-output pre", timeout=30_000)
    return page.evaluate(
        "sel => { const pre = document.querySelector(sel + ' .jp-OutputArea-output pre');"
        " const range = document.createRange(); range.selectNodeContents(pre);"
        " const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)"
        "   .map(r => Math.round(r.top)));"
        " return [pre.textContent, tops.size]; }", sel)


def test_a_failing_check_breaks_at_words_and_puts_the_hint_on_its_own_line(lab, browser):
    base, root = lab
    path = write_notebook(root, "failing.ipynb", [
        "import numpy as np\nfrom nnlib.checking import check",
        "def softplus(z):\n    return np.log(1 + np.exp(z))  # overflows at z = 1000",
        'check("03.1-softplus", softplus)',
    ])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    run_all_cells(page, base, path)
    [error] = model_outputs(page, 2)
    assert error["output_type"] == "error" and error["ename"] == "CheckFailed"
    text, screen_lines = error_text_and_lines(page, 2)
    lines = text.rstrip("\n").split("\n")
    assert lines[0].startswith("✗ 03.1-softplus: softplus(np.array([-1000.0, 1000.0])) raised")
    assert all(len(line) <= WRAP for line in lines), lines
    hint = next(i for i, line in enumerate(lines) if line.startswith("  → "))
    assert hint >= 1 and "overflow" in " ".join(lines[:hint])  # what failed, then the hint
    assert "rewrite" in " ".join(lines[hint:])
    # the first line ends between two words: the one-line message goes on with a space
    one_line = error["evalue"]
    assert one_line.startswith(lines[0] + " ")
    assert " ".join(line.strip() for line in lines) == one_line.replace("; ", " → ", 1)
    # and the page breaks no line of its own: as many lines on screen as in the text
    assert screen_lines == len(lines), (screen_lines, lines)
    page.close()


def test_a_check_run_before_its_answer_cell_is_one_line(lab, browser):
    base, root = lab
    path = write_notebook(root, "too_early.ipynb", [
        "from nnlib.checking import check",
        'check("00.0-double", double)',  # run before the answer cell below
        "def double(x):\n    return 2 * x",
    ])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    run_all_cells(page, base, path)
    [error] = model_outputs(page, 1)
    assert error["output_type"] == "error" and error["ename"] == "NameError"  # still an error
    text, screen_lines = error_text_and_lines(page, 1)
    assert text.strip() == ("… 00.0-double: double is not defined yet: run the answer cell "
                            "above first")
    assert screen_lines == 1 and "Traceback" not in text
    page.close()
