"""Compile plot pages: all of them in one sandboxed pdflatex run, then one PDF per plot.

pgfplots takes a third of a second to load, so the plots a build lacks are compiled together, one
page each, and the pages are cut apart with pypdf. A plot TeX refuses (it should not happen: its
labels passed the same checks as card text) is told by its marker and the rest compiled again.
"""
from __future__ import annotations

import io

from builder.plots.cache import CachedPlot
from builder.plots.tex import plot_document
from builder.errors import TexError
from builder.tex.run import run_pdflatex


def compile_pages(pages: list[str]) -> tuple[dict[int, CachedPlot], dict[int, str]]:
    """(the compiled plots, TeX's message for each page it could not typeset), by page index."""
    pending = list(range(len(pages)))
    failed: dict[int, str] = {}
    while pending:
        try:
            result = run_pdflatex(plot_document([pages[i] for i in pending]), jobname="plots")
        except TexError as err:
            marker = (err.source_marker or "").split()
            if len(marker) != 2 or marker[0] != "plot" or not marker[1].isdigit():
                raise
            failed[pending.pop(int(marker[1]))] = err.message
            continue
        return dict(zip(pending, split_pages(result.pdf))), failed
    return {}, failed


def split_pages(pdf: bytes) -> list[CachedPlot]:
    """Each page of `pdf` as a PDF of its own, with its size (bp)."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdf))
    out = []
    for page in reader.pages:
        writer = PdfWriter()
        writer.add_page(page)
        buffer = io.BytesIO()
        writer.write(buffer)
        box = page.mediabox
        out.append(CachedPlot(buffer.getvalue(), float(box.width), float(box.height)))
    return out
