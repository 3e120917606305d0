# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# What running needs, and what the tests need besides (Playwright, mypy, the HTML
# checker...): `make run` installs only the first.
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: messages run test demo bench soak migrate lint lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

# IDEABOARD_HOST and IDEABOARD_PORT (and every other setting) come from the environment.
run: $(STAMP)
	$(BIN)/ideaboard migrate
	$(BIN)/ideaboard serve

migrate: $(STAMP)
	$(BIN)/ideaboard migrate

demo: $(STAMP)
	$(BIN)/ideaboard migrate
	$(BIN)/ideaboard demo

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: $(TEST_STAMP)
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk (or brew install wrk)" >&2; exit 2; }
	$(BIN)/python -m ideaboard.bench $(BENCH_ARGS)

# Ten minutes at half the board's maximum rate (BENCH_ARGS=--minutes 30 for longer).
soak: $(TEST_STAMP)
	@command -v wrk >/dev/null || { echo "make soak needs wrk: apt-get install wrk (or brew install wrk)" >&2; exit 2; }
	$(BIN)/python -m ideaboard.bench --soak $(BENCH_ARGS)

# The catalogs (src/ideaboard/locale): every translatable string of the code and the
# templates into messages.pot, then each language's messages.po brought up to date
# (new strings empty, gone ones marked obsolete). Translate, then `make test`.
LOCALE := src/ideaboard/locale
KEYWORDS := -k _ -k gettext -k ngettext:1,2 -k pgettext:1c,2 -k npgettext:1c,2,3 \
	-k lazy_gettext -k lazy_pgettext:1c,2
messages: $(TEST_STAMP)
	$(BIN)/pybabel -q extract --no-default-keywords $(KEYWORDS) -F $(LOCALE)/babel.cfg \
		--ignore-dirs ".* __pycache__" \
		--sort-by-file --no-wrap --project ideaboard --copyright-holder "ideaboard" \
		--msgid-bugs-address "" -o $(LOCALE)/messages.pot .
	$(BIN)/pybabel -q update --no-wrap --no-fuzzy-matching -i $(LOCALE)/messages.pot \
		-d $(LOCALE) --ignore-obsolete

# deploy/requirements.lock: every dependency of pyproject.toml at an exact version and
# hash, for the container image and the systemd install (tests check it stays in step).
lock: $(TEST_STAMP)
	$(BIN)/pip install --quiet 'pip-tools>=7.4,<8'
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file deploy/requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
