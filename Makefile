# Entry points, each from a fresh clone: `make smoke` (the README's first command), `make test` (CI), `make demo`.
# Each creates .venv, installs CPU torch first (a bare `torch` requirement would pull a multi-GB CUDA build),
# then the package with its development, notebook and web extras.
PYTHON ?= python3
TORCH ?= torch==2.13.0
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DOCS_STAMP := $(VENV)/.docs-installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: setup smoke demo lab test test-notebooks test-pytest check-sync check-figures figures readme docs check-docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[dev,notebook,web]"
	rm -f $(VENV)/.installed-*; touch $(STAMP)

# CIDEr's PTB tokenizer (pycocoevalcap) runs Java: setup installs a headless JRE when java is missing and we are root
setup: $(STAMP)
	@command -v java >/dev/null || { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && apt-get install -y -qq default-jre-headless; \
	else echo "java is missing (CIDEr's PTB tokenizer needs it): install a JRE, e.g. sudo apt-get install default-jre-headless, or conda install openjdk" >&2; fi; }

# the whole pipeline offline on the synthetic world (nbs/experiments/smoke.ipynb) into runs/smoke/
smoke: setup
	$(BIN)/tarsier-nb run smoke --overwrite

demo: setup
	$(BIN)/tarsier-nb demo runs/demo

# JupyterLab on the notebooks, in this environment's Python (the notebooks import tarsier_nb from it)
lab: setup
	$(BIN)/jupyter lab nbs $(if $(filter 0,$(shell id -u)),--allow-root,)

test: setup check-sync check-figures test-notebooks test-pytest check-docs

check-sync: setup
	$(BIN)/python .ci/check_sync.py

# every figure that needs no GPU, regenerated and compared byte for byte with figures/ (needs ../shared)
check-figures: setup
	$(BIN)/python .ci/check_figures.py

figures: setup
	$(BIN)/python .ci/check_figures.py --write

# every notebook cell: the slow ones too, and those reading the shared folder when it is there (CI, which sets CI, always:
# there a missing folder fails); elsewhere nbdev-test skips the `shared` cells and says so
SHARED_CELLS := $(if $(or $(CI),$(wildcard ../shared)),shared,)
# run on a copy in _tested/ whose outputs nbdev-test saves: `make docs` shows them rather than executing the notebooks again
test-notebooks: setup
	rm -rf _tested && cp -r nbs _tested
	$(BIN)/nbdev-test _tested --n-workers 2 --flags "slow $(SHARED_CELLS)" --save

# two workers, a test file each at a time (its fixtures are shared by its tests): most tests wait on the real command they run
test-pytest: setup
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --durations=12

# the docs site in _docs/, offline, from the notebooks (docs/build_docs.py: nbdev's processing with every notebook
# executed, then Sphinx + myst-nb); the docs extras are installed on first use
$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e ".[dev,docs]"
	rm -f $(VENV)/.docs-installed-*; touch $(DOCS_STAMP)

docs: setup $(DOCS_STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python docs/build_docs.py

# the built site served on 127.0.0.1 and read in a real headless Chromium (Debian's chromium, installed when missing
# and we are root): every internal link and anchor, the home and an API page rendered; screenshots in _docs/_check/
check-docs: docs
	@command -v chromium >/dev/null || { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && apt-get install -y -qq chromium; \
	else echo "chromium is missing (make check-docs reads the site in it): install it, e.g. sudo apt-get install chromium" >&2; exit 1; fi; }
	$(BIN)/python .ci/check_docs.py

readme: setup
	$(BIN)/python .ci/check_sync.py --write-readme

clean:
	rm -rf $(VENV) runs _proc _docs _tested
