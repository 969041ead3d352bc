#!/bin/sh
# Install the TeX Live pieces fiszki's templates use, only when something is missing.
set -eu
PACKAGES="texlive-latex-base texlive-latex-recommended texlive-latex-extra texlive-lang-polish texlive-fonts-recommended texlive-pictures lmodern poppler-utils"
NEEDED="lmodern.sty polski.sty polish.ldf enumitem.sty tabularx.sty booktabs.sty multicol.sty amssymb.sty xcolor.sty geometry.sty bm.sty cancel.sty mathrsfs.sty rsfs10.tfm pgfplots.sty"

missing=""
command -v pdflatex >/dev/null 2>&1 || missing="pdflatex"
if [ -z "$missing" ]; then
  for f in $NEEDED; do
    kpsewhich "$f" >/dev/null 2>&1 || missing="$missing $f"
  done
fi
command -v pdftoppm >/dev/null 2>&1 || missing="$missing pdftoppm"
[ -z "$missing" ] && exit 0

echo "fiszki: missing:$missing; installing TeX Live packages" >&2
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PACKAGES
else
  echo "fiszki: cannot install automatically on this system. Install TeX Live with:" >&2
  echo "  pdflatex, lmodern, babel-polish/polski, enumitem, tabularx, booktabs, multicol, amsfonts, xcolor, geometry, bm, cancel, mathrsfs (rsfs), pgfplots" >&2
  echo "  (e.g. macOS: MacTeX; Fedora: texlive-scheme-medium texlive-polski)" >&2
  exit 1
fi
