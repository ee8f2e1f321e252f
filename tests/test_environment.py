"""environment.yml (conda, Binder) and pyproject.toml (pip) must list the same packages."""

import re
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]


def names(requirements):
    return {re.split(r"[<>=!~ \[]", r, maxsplit=1)[0].strip().lower() for r in requirements}


def pip_packages():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return names(project["dependencies"] + extras["course"] + extras["dev"])


def conda_packages():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = [d for d in env["dependencies"] if isinstance(d, str)]
    return names(deps) - {"python", "pip"}


def test_conda_and_pip_install_the_same_packages():
    assert conda_packages() == pip_packages()


def test_environment_yml_uses_conda_forge_and_installs_the_repo():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    pip_section = [d for d in env["dependencies"] if isinstance(d, dict)][0]["pip"]
    assert "-e ." in pip_section


def test_torch_is_never_a_course_dependency():
    assert "torch" not in pip_packages()


def test_no_upper_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    reqs = project["dependencies"] + extras["course"] + extras["dev"]
    assert not [r for r in reqs if "<" in r or "==" in r]


def test_benchmark_reference_is_the_cpu_torch_wheel():
    # The one exact pin, on purpose: an unpinned torch can resolve to a multi-GB CUDA build,
    # and a speed reference should not move under the benchmark.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert extras["bench"] == ["torch==2.13.0"]


def test_nnlib_imports_without_ipywidgets_or_tooling():
    import subprocess
    import sys

    code = ("import sys; sys.modules['ipywidgets'] = None; import nnlib, nnlib.widgets; "
            "assert 'coursetools' not in sys.modules and 'nbformat' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
