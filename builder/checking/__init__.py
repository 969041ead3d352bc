"""`fiszki check`: read a finished PDF and prove it prints right.

Everything is measured in the file itself: the catalog's /FiszkiInfo records the layout the PDF was
made for (paper, flip edge, margin, back offset, mode, card count), and every card side carries a
hidden annotation named card-12-front / card-12-back whose /Rect is the card as TeX placed it.
A tool that moves, rotates, resizes, drops or reorders pages takes those annotations along, so the
check sees what a printer would get. The page labels (1-front, 1-back) are for people: they belong
to page positions, not to pages, so a tool that reorders pages leaves them behind; the check trusts
the annotations instead. The PDF is read with pypdf: its dictionaries, and of the flashcards'
content streams only the commands that clip (every side is clipped to its card); the questions that
name cards in reports (/FiszkiInfo /Questions) are read only when there is a problem to report. So a 1000-card PDF checks in under half a second, Python start-up included.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from builder.checking.pdf import PdfFile, PypdfNotes, reason, resolved
from builder.checking.report import CheckReport
from builder.checking.fonts import check_fonts
from builder.tex.contract import INFO_KEY, KIND_CALIBRATION, KIND_CHEATSHEET, KIND_FLASHCARDS, KIND_STUDY

# Each kind of fiszki PDF (/FiszkiInfo /Kind): what reports call it, and the module whose
# check(doc, info, report) proves it.
CHECKERS = {
    KIND_FLASHCARDS: ("flashcards", "builder.checking.flashcards"),
    KIND_CHEATSHEET: ("cheat sheet", "builder.checking.cheatsheet"),
    KIND_CALIBRATION: ("calibration sheet", "builder.checking.calibration"),
    KIND_STUDY: ("study PDF", "builder.checking.study"),
}


def check_pdf(data: bytes, source: str = "PDF") -> CheckReport:
    report = CheckReport(source)
    if data.lstrip(b"\x00\t\n\x0c\r ")[:5] != b"%PDF-":
        report.problems.append("not a PDF file")
        return report
    PypdfNotes.local.notes = notes = []
    try:
        _check(data, report, notes)
    finally:
        PypdfNotes.local.notes = None
    return report


def _check(data: bytes, report: CheckReport, notes: list[str]) -> None:
    # pypdf raises many kinds of exception on a damaged file (its own, ValueError, KeyError,
    # AssertionError, RecursionError, zlib.error, …): any of them means the file is damaged,
    # and the user gets one line saying so, never a traceback.
    try:
        doc = PdfFile(data)
        info = resolved(doc.catalog.get(INFO_KEY))
    except Exception as exc:  # noqa: BLE001 — see above
        report.problems.append(f"the PDF is damaged or unusual ({reason(exc)})")
        return
    if not isinstance(info, dict):
        report.problems.append("this PDF was not made by fiszki, or a tool rewrote it and dropped fiszki's "
                               "layout record, so there is nothing to check its card positions against")
        return
    kind = str(info.get("/Kind", "")).lstrip("/")
    if kind not in CHECKERS:
        report.problems.append(f"made by a fiszki that writes {kind!r} PDFs, which this version cannot check")
        return
    try:
        report.kind, module = CHECKERS[kind]
        importlib.import_module(module).check(doc, info, report)
        check_fonts(doc, report)
    except Exception as exc:  # noqa: BLE001 — damaged structure or a layout record with odd values
        report.add(f"the PDF is damaged ({reason(exc)})", kind="damaged")
    if any("xref" in n.lower() or "object streams" in n.lower() for n in notes):
        report.add("the file is damaged: its cross-reference table is broken (cut short or edited?); "
                   "the cards were found by scanning, but a printer may not manage that", kind="damaged")


def check_file(path: Path) -> CheckReport:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return CheckReport(str(path), problems=["no such file"])
    except IsADirectoryError:
        return CheckReport(str(path), problems=["is a folder, not a PDF"])
    except OSError as exc:
        return CheckReport(str(path), problems=[f"cannot read it: {exc.strerror or exc}"])
    return check_pdf(data, str(path))
