# fiszki — `make` sets everything up and builds the default deck; `make test` runs every test.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
FISZKI  := $(VENV)/bin/fiszki
STAMP   := $(VENV)/.installed

.PHONY: all setup tex build test bench pictures clean

all: build

# The virtual environment is (re)made only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

tex:
	@sh scripts/ensure-tex.sh

# Byte-code compiled once here: Python would write it on first use, but not where
# PYTHONDONTWRITEBYTECODE is set (as on CI machines), and then every run compiles every module.
setup: $(STAMP) tex
	$(PY) -m compileall -q builder

build: setup
	$(FISZKI) build

test: setup
	$(PY) -m pytest -q

bench: setup
	$(PY) -m bench

# README and docs pictures, from the default deck: regenerated, never hand-edited.
STUDY_PAGE = $(PY) -c "import sys; from pypdf import PdfReader; r = PdfReader('out/study.pdf'); \
	print(r.get_destination_page_number(r.named_destinations[sys.argv[1]]) + 1)"
pictures: build
	mkdir -p docs/img
	pdftoppm -r 50 -png -singlefile -f 1 -l 1 out/flashcards.pdf docs/img/flashcards-front
	pdftoppm -r 50 -png -singlefile -f 2 -l 2 out/flashcards.pdf docs/img/flashcards-back
	pdftoppm -r 50 -png -singlefile -f 1 -l 1 out/cheatsheet.pdf docs/img/cheatsheet
	# Two plot cards' backs, cut out by their hidden annotations (docs/deck-format.md, Plots).
	$(PY) scripts/card_picture.py out/flashcards.pdf card-23-back docs/img/plot-roc.png
	$(PY) scripts/card_picture.py out/flashcards.pdf card-8-back docs/img/plot-activation.png
	$(FISZKI) calibrate --out out
	pdftoppm -r 50 -png -f 1 -l 1 out/calibration.pdf docs/img/calibration
	# The ladders as seen against a window, printed by a printer that shifts its backs by 1,-1.5 mm.
	pdftoppm -r 120 -gray out/calibration.pdf out/calibration-page
	$(PY) scripts/window_view.py out/calibration-page-1.pgm out/calibration-page-2.pgm \
		docs/img/calibration-window.png --dpi 120 --shift=1,-1.5 --crop 25,103,165,150
	rm -f out/calibration-page-*.pgm
	# The study PDF: its title page, and card 7's question and answer, found by their destinations.
	$(FISZKI) build --make study
	pdftoppm -r 50 -png -singlefile -f 1 -l 1 out/study.pdf docs/img/study-title
	p=$$($(STUDY_PAGE) q-7) && pdftoppm -r 50 -png -singlefile -f $$p -l $$p out/study.pdf docs/img/study-question
	p=$$($(STUDY_PAGE) a-7) && pdftoppm -r 50 -png -singlefile -f $$p -l $$p out/study.pdf docs/img/study-answer

clean:
	rm -rf out .pytest_cache
