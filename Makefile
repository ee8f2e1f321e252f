# Two commands for everyone:  `make lab` opens the course, `make test` runs every test.
# Both create a local virtual environment in .venv the first time (Python 3.10+ needed).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: lab test lint exercises release update clean

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

# Get the course's new version (git pull) and keep your work; README "Updating the course".
# Lessons and solutions you only ran are reset (your runs only changed their outputs); your
# exercises stay as you left them, even where the course changed them too; every notebook you
# changed is copied to my-backups/<date>/ first. Untracked files (your own notebooks) are
# never touched.
update:
	@set -e; \
	git rev-parse --abbrev-ref --symbolic-full-name '@{u}' >/dev/null 2>&1 || { \
	  echo "make update: this folder is not a git clone that follows the course (no upstream"; \
	  echo "branch), so there is nothing to pull; download the new version instead."; exit 1; }; \
	git fetch --quiet; \
	changed=$$(git diff --name-only HEAD -- lessons solutions exercises); \
	theirs=$$(git diff --name-only HEAD '@{u}' -- exercises); \
	backup=my-backups/$$(date +%Y-%m-%d_%H%M%S); reset=""; kept=""; \
	for f in $$changed; do \
	  if [ -f "$$f" ]; then mkdir -p "$$backup/$$(dirname "$$f")"; cp -p "$$f" "$$backup/$$f"; fi; \
	  case "$$f" in \
	    exercises/*) if printf '%s\n' $$theirs | grep -qx "$$f"; then \
	                   kept="$$kept $$f"; git checkout --quiet -- "$$f"; fi ;; \
	    *) reset="$$reset $$f"; git checkout --quiet -- "$$f" ;; \
	  esac; \
	done; \
	if ! git pull --ff-only --quiet; then \
	  for f in $$kept; do cp -p "$$backup/$$f" "$$f"; done; \
	  echo "make update: git pull could not bring the new version in (see its message above)."; \
	  echo "Your exercises are as you left them; lessons you ran were reset, copies in $$backup/."; \
	  exit 1; \
	fi; \
	for f in $$kept; do cp -p "$$backup/$$f" "$$f"; done; \
	echo "The course is up to date ($$(git log -1 --format='%h, %cs'))."; \
	if [ -n "$$reset" ]; then echo "Reset to the course's version (run them again to see the outputs):$$reset"; fi; \
	if [ -n "$$kept" ]; then echo "Kept as you left them, though the course changed them too (git diff FILE shows how yours differ):$$kept"; fi; \
	if [ -n "$$changed" ]; then echo "Copies of every notebook you had changed: $$backup/"; fi

clean:
	rm -rf $(VENV) .pytest_cache
