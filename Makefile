# The two commands of the README:  `make demo`  and  `make test`.
VENV ?= .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.emoreason-installed

.PHONY: setup demo test test-fast lint bench clean

$(STAMP): pyproject.toml constraints.txt scripts/setup.sh
	VENV=$(VENV) bash scripts/setup.sh
	touch $(STAMP)

setup: $(STAMP)

## Install everything, then explain the shipped sample clip.
demo: $(STAMP)
	$(VENV)/bin/emoreason explain

## Install everything, then run the whole test suite (slow real-model tests included).
test: $(STAMP)
	$(PYTHON) -m pytest -q

test-fast: $(STAMP)
	$(PYTHON) -m pytest -q -m "not slow"

## The face stage's speed on the shipped clip (issue #3's targets), saved under benchmarks/results.
bench: $(STAMP)
	$(PYTHON) benchmarks/bench_face.py --repeat 5 --save benchmarks/results

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache
