"""TeX: the one way fiszki runs pdflatex (run), what the templates and Python agree on (contract),
and which card a TeX error belongs to (blame)."""
