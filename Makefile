# Quick start: `make demo` then `make test`. Needs only python3 (3.11+).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PERIOD ?= 2026-Q3

.PHONY: demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -qq -e '.[test]'
	touch $@

# The main job on the bundled sample; exit 1 (a control failed) still means the reports were made.
demo: $(VENV)/.installed
	$(BIN)/hds-audit run samples/compliant --period $(PERIOD) --out reports/compliant; test $$? -le 1
	$(BIN)/hds-audit run samples/violations --period $(PERIOD) --out reports/violations; test $$? -le 1
	@echo
	@echo "Reports: reports/compliant and reports/violations (open report.html, report.pdf, report.xlsx)."
	@echo "Verify one: $(BIN)/hds-audit verify reports/compliant --trust CERT"
	@echo "  CERT: the DEMO certificate whose path the compliant run printed above. Never the folder's own"
	@echo "  signer.pem: whoever re-signs a folder replaces it too. For real reports, the signer's certificate (or CA) sent to you apart."

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py --events 1000000

clean:
	rm -rf $(VENV) reports build dist *.egg-info
