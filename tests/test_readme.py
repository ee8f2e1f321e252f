"""The README's promises: its code example runs, its commands exist, its lesson links resolve."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_readme_example_runs_and_prints_xor():
    block = re.search(r"## nnlib in ten lines\s+```python\n(.*?)```", README, re.S).group(1)
    out = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert "17 parameters" in out and "[0 1 1 0]" in out


def test_quick_start_commands_are_make_targets():
    makefile = (ROOT / "Makefile").read_text()
    for target in re.findall(r"^make (\w+)", README, re.M):
        assert re.search(rf"^{target}:", makefile, re.M), f"make {target} is not in the Makefile"


def test_ci_runs_the_readme_test_command():
    assert "make test" in README
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


def test_lesson_links_point_to_existing_notebooks():
    for link in re.findall(r"\]\((lessons/[^)]+\.ipynb)\)", README):
        assert (ROOT / link).exists(), f"README links to {link}, which does not exist"


def test_mnist_is_credited():
    assert "LeCun" in README and "Cortes" in README and "Burges" in README
    assert "CC BY-SA 3.0" in README
