"""The cheat sheet's check: exactly the pages it was fitted to, all of one paper and orientation."""
from __future__ import annotations

from builder.checking.pdf import TOLERANCE, PdfFile, check_pages_uniform, number, numbers
from builder.checking.report import CheckReport, mm


def check(reader: PdfFile, info, report: CheckReport) -> None:
    """Exactly the pages it was fitted to, all of the paper and orientation it was made for."""
    paper = numbers(info.get("/Paper"), 2)
    check_pages_uniform(reader, paper, report)
    count = len(reader.pages)
    wanted = int(number(info.get("/Pages", 0)))
    if wanted and count != wanted:
        report.add(f"has {count} page{'s' if count != 1 else ''}, it was fitted to {wanted}", kind="page count")
    if str(info.get("/Orientation", "")).lstrip("/") == "landscape":
        for page in reader.pages:
            w, h = page.size
            if w < h - TOLERANCE:  # square paper is both
                report.add(f"page {page.number}: portrait ({mm(w)}×{mm(h)} mm), the sheet was made landscape",
                           kind="orientation", page=page.number)
    size, smallest = info.get("/FontSize"), info.get("/MinSize")
    if size is not None and smallest is not None and number(size) < number(smallest) - 0.01:
        report.add(f"text at {number(size):g} pt, below the smallest legible size {number(smallest):g} pt", kind="size")
    columns, cards = info.get("/Columns"), info.get("/Cards")
    report.facts.update(pages=count, size=f"{number(size):g} pt" if size is not None else "?")
    if columns is not None:
        report.facts["columns"] = int(number(columns))
    if cards is not None:
        report.facts["cards"] = int(number(cards))
        report.description = (f"{int(number(cards))} cards on {count} page{'s' if count != 1 else ''}"
                              + (f" at {number(size):g} pt" if size is not None else "")
                              + (f", {int(number(columns))} columns" if columns is not None else ""))
