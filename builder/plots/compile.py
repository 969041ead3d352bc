"""Compile plot pages, each in a sandboxed pdflatex run of its own, two at a time.

A run's fonts are subsets of the glyphs all its pages use, so plots compiled together would carry
each other's glyphs: the same plot's PDF would differ with the company it was compiled in, and a
deck's PDFs with the history of the plot cache. One run a plot keeps every plot's bytes a function
of its description alone; the runs go two at a time (pgfplots takes a third of a second to load,
and a build compiles only the plots its cache lacks).
"""
from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

from builder.errors import TexError
from builder.plots.cache import CachedPlot
from builder.plots.tex import plot_document
from builder.tex.run import run_pdflatex

AT_ONCE = 2  # pdflatex runs at a time (the machines fiszki is built for have two cores or more)


def compile_pages(pages: list[str]) -> tuple[dict[int, CachedPlot], dict[int, str]]:
    """(the compiled plots, TeX's message for each page it could not typeset), by page index."""
    def one(index: int) -> CachedPlot | str:
        try:
            return split_pages(run_pdflatex(plot_document([pages[index]]), jobname="plot").pdf)[0]
        except TexError as err:
            return err.message

    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        done = list(pool.map(one, range(len(pages))))
    compiled = {i: plot for i, plot in enumerate(done) if isinstance(plot, CachedPlot)}
    failed = {i: message for i, message in enumerate(done) if isinstance(message, str)}
    return compiled, failed


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
