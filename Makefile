# The commands a newcomer needs. Everything runs inside .venv, created on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app board
LANGS  := sq bg pl ro sr_Latn ar rom
HOST   ?= 127.0.0.1
PORT   ?= 5000
# make test and make test-fast run pytest in this many processes (pytest-xdist)
TEST_WORKERS ?= 2
# The Werkzeug debugger runs any Python typed into an error page: it may serve this machine
# only. Any other HOST (0.0.0.0 for the room's tablets) is served by gunicorn, without it,
# over plain HTTP on the local network (so the cookies cannot insist on HTTPS).
LOOPBACK := $(filter 127.% localhost ::1,$(HOST))
BIND     := $(if $(findstring :,$(HOST)),[$(HOST)],$(HOST)):$(PORT)

.PHONY: run install test test-fast bench translations compile-translations lint migrate demo voice screenshots clean

$(BIN)/flask: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/flask

# Needs no database and no configuration: board.translate, from Babel's Python API.
compile-translations: install
	$(FLASK) translate compile

## make run: install, compile translations, migrate, seed the demo when empty, serve on :5000
run: compile-translations
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo "Serving http://$(BIND)  (children start at /join)"
ifneq ($(LOOPBACK),)
	$(FLASK) run --debug --host $(HOST) --port $(PORT)
else
	BOARD_BIND=$(BIND) BOARD_SESSION_COOKIE_SECURE=false \
	  $(BIN)/gunicorn -c gunicorn.conf.py "board:create_app()"
endif

migrate: install
	$(FLASK) db upgrade

demo: install
	$(FLASK) demo

## make voice: synthesise every child prompt's audio ahead of time (espeak-ng, opus-tools);
## without it each is made on its first play
voice: compile-translations
	$(FLASK) voice build

## make test: the whole suite (set TEST_DATABASE_URL for PostgreSQL), in TEST_WORKERS
## processes (pytest-xdist; each test file stays in one, each has its own PostgreSQL database)
## with its scratch files in /dev/shm when there is one (see test-fast). Prints its time.
test: compile-translations
	$(BIN)/ruff check board tests bench
	$(BIN)/bandit -c pyproject.toml -r board -ll -q
	$(BIN)/mypy board
	@start=$$(date +%s); \
	if [ -z "$$TMPDIR" ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi; \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile; status=$$?; \
	echo "make test: pytest took $$(( $$(date +%s) - start )) s"; exit $$status

## make test-fast: the suite without browser and slow tests (see pyproject.toml), timed.
## Its scratch files (the SQLite database) go to /dev/shm when there is one: waiting for a
## busy disk took more than half its time.
test-fast: compile-translations
	@start=$$(date +%s); \
	if [ -z "$$TMPDIR" ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi; \
	$(BIN)/python -m pytest -m "not browser and not slow" -q -n $(TEST_WORKERS); status=$$?; \
	echo "make test-fast: $$(( $$(date +%s) - start )) s"; exit $$status

## make bench: benchmarks, printing their tables
bench: compile-translations
	$(BIN)/python -m bench

## make translations: extract messages (with their # i18n: comments), update every catalogue, compile
translations: install
	$(FLASK) translate extract
	$(FLASK) translate update
	$(FLASK) translate compile

## make screenshots: run the month's browser journey and keep PNGs of its key screens
screenshots: compile-translations
	BOARD_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/browser/test_month.py \
	  -q -p no:cacheprovider

lint: install
	$(BIN)/ruff check board tests bench
	$(BIN)/bandit -c pyproject.toml -r board -ll -q
	$(BIN)/mypy board

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
