"""Execute notebooks in place, so that re-running an unchanged notebook gives identical bytes.

``nncourse execute lessons/03_activations.ipynb solutions/03_activations.ipynb`` runs each notebook
top to bottom on a fresh ``python3`` kernel of this environment, in the notebook's own folder, and
writes it back. Any cell error stops the command with the notebook, the cell and the error (the
file is then left untouched); a cell that must fail on purpose carries the ``raises-exception`` tag.

What changes from run to run is normalised before writing:

* widgets are stored as their text form only ("run the cells above and this one to use it"):
  no widget state, whose random model ids change every run, and whose saved sliders would move
  without a kernel and change nothing (a static figure of each explorer sits beside it);
* memory addresses in text outputs (``<function f at 0x7f3a...>``) become ``0x...``;
* consecutive stream outputs of one cell are merged (the kernel may split them at random points);
* timing metadata (``execution``, ``ExecuteTime``) is dropped.

And it is written the way JupyterLab writes it, so that opening the notebook in JupyterLab and
saving it without an edit changes no byte (``tests/test_browser.py`` checks both):

* the kernelspec is ``coursetools.notebooks.KERNELSPEC``, the display name JupyterLab records
  ("Python 3 (ipykernel)"); with another one JupyterLab marks the notebook modified on opening.

Matplotlib's PNGs need nothing: with the same versions, Agg draws the same bytes every time
(``tests/test_notebooks.py`` executes a lesson twice and compares).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat import NotebookNode

from .notebooks import (
    VOLATILE_CELL_METADATA,
    deterministic_cell_ids,
    read_notebook,
    set_kernelspec,
    write_notebook,
)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_TEXT = "[interactive widget: run the cells above and this one to use it]"
ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,16}\b")


class ExecutionFailed(Exception):
    """A notebook stopped with an error; the message says which notebook and which cell."""


def kernel_manager():
    """A kernel manager for a python3 kernel of *this* Python, whatever kernelspecs exist."""
    import ipykernel.kernelspec
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager

    class ThisPython(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return KernelSpec(resource_dir=ipykernel.kernelspec.RESOURCES,
                              **ipykernel.kernelspec.get_kernel_dict())

    return KernelManager(kernel_name="python3", kernel_spec_manager=ThisPython())


def execute_notebook(path: str | Path, timeout: int = 600) -> bool:
    """Execute ``path`` in place; returns True if the file changed. Raises ExecutionFailed."""
    path = Path(path)
    nb = read_notebook(path)
    deterministic_cell_ids(nb)
    client = NotebookClient(nb, km=kernel_manager(), timeout=timeout, kernel_name="python3",
                            allow_errors=False, record_timing=False,
                            store_widget_state=True,  # nbclient needs it to fill Output widgets;
                            # normalise() then drops it
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    try:
        # cleanup_kc: shut the kernel down when done (nbclient keeps a kernel it did not start
        # alive, so executing ten notebooks would otherwise hold ten kernels' memory at once);
        # stderr: the kernel's own log lines are noise here
        client.execute(cleanup_kc=True, stderr=subprocess.DEVNULL)
    except CellExecutionError as err:
        index = _failed_cell(nb)
        where = "a cell" if index is None else f"cell {index + 1} (id {nb.cells[index].get('id')})"
        raise ExecutionFailed(f"{path}: {where} raised an error; the file was not changed\n"
                              f"{_strip_ansi(str(err))}") from None
    except Exception as err:  # kernel died, timeout, ...
        raise ExecutionFailed(f"{path}: execution failed ({type(err).__name__}: {err}); the file "
                              "was not changed") from None
    normalise(nb)
    set_kernelspec(nb)
    return write_notebook(nb, path)


def _failed_cell(nb: NotebookNode) -> int | None:
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any(o.output_type == "error" for o in cell.outputs):
            return i
    return None


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


# --------------------------------------------------------------------------- normalisation
def normalise(nb: NotebookNode) -> NotebookNode:
    """Remove what differs between two runs of the same notebook (in place; returns ``nb``)."""
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = _merge_streams(cell.outputs)
            for out in cell.outputs:
                _mask_addresses(out)
                _drop_widget_view(out)
    nb.metadata.pop("widgets", None)
    return nb


def _drop_widget_view(out: NotebookNode) -> None:
    """A widget is stored as its text form only. Saved widget state would let a trusted
    notebook draw sliders that move without a kernel and change nothing; a widget view without
    its state shows "model not found". The text form says what to do instead."""
    if out.output_type not in ("display_data", "execute_result"):
        return
    if out.data.pop(WIDGET_VIEW, None) is None:
        return
    text = out.data.get("text/plain", "")
    if not (isinstance(text, str) and text.startswith("[")):  # a plain ipywidgets repr
        out.data["text/plain"] = WIDGET_TEXT


def _merge_streams(outputs: list) -> list:
    merged = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (prev is not None and out.output_type == "stream" and prev.output_type == "stream"
                and prev.name == out.name):
            prev.text += out.text
        else:
            merged.append(out)
    return merged


def _mask_addresses(out: NotebookNode) -> None:
    if out.output_type == "stream":
        out.text = ADDRESS.sub("0x...", out.text)
    elif out.output_type in ("display_data", "execute_result"):
        for mime in ("text/plain", "text/html"):
            if isinstance(out.data.get(mime), str):
                out.data[mime] = ADDRESS.sub("0x...", out.data[mime])


def main(paths: list[str], timeout: int = 600) -> int:
    """``nncourse execute``: returns a process exit code (1 at the first failing notebook)."""
    for path in paths:
        print(f"executing {path} ...", flush=True)
        try:
            changed = execute_notebook(path, timeout=timeout)
        except ExecutionFailed as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        print(f"  {'written' if changed else 'unchanged'}: {path}")
    return 0
