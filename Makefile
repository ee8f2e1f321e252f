# Two commands for everyone:  `make lab` opens the course, `make test` runs every test.
# Both create a local virtual environment in .venv the first time (Python 3.10+ needed).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: lab test lint exercises release clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# root_dir: without it, JupyterLab would serve only the folder of the file it opens (lessons/),
# and a student could not reach exercises/. LAB_ARGS: extra options (the browser test sets a port).
LAB_ARGS ?=
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" \
	  $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS) lessons/00_welcome.ipynb

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

exercises: $(STAMP)
	$(BIN)/nncourse build

release: $(STAMP)
	$(BIN)/nncourse build --release release/

clean:
	rm -rf $(VENV) .pytest_cache
