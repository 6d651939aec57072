# The two commands of the README: `make run` (the web app) and `make test` (the whole suite).
.PHONY: run test setup

setup:
	@bash scripts/setup.sh

run: setup
	.venv/bin/python app.py $(ARGS)

test: setup
	@bash scripts/browser.sh
	.venv/bin/python -m pytest -q $(PYTEST_ARGS)
