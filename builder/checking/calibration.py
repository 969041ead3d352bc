"""The calibration sheet's check: every rung's back line where `--back-offset` of its value puts it."""
from __future__ import annotations

from builder.calibrate import MM, STEP, Rect, turn_over, value_key, values
from builder.checking.pdf import PdfFile, numbers
from builder.checking.report import CheckReport


def read_marks(doc, page) -> dict[str, tuple[float, float, float, float]]:
    """The calib-… annotations of one page: name -> (x, y, w, h) from the printed page's corner."""
    return {name: rect for name, rect in doc.annotations(page) if name.startswith("calib-")}


def check(doc: PdfFile, info: dict, report: CheckReport) -> None:
    """Two pages; every rung's back line is the mirror of its front line's end, moved by its value
    along its axis, so that rung 0 lines up at zero shift and rung v when the printer shifts by -v."""
    tol = 0.05  # pt: the PDF stores positions to 0.001 bp; rounding adds a little
    pages = doc.pages
    paper = numbers(info.get("/Paper"), 2)
    flip = str(info.get("/Flip", "/long")).lstrip("/")
    ox, oy = numbers(info.get("/BackOffset", [0, 0]), 2)
    if len(pages) != 2:
        report.add(f"has {len(pages)} pages; the calibration sheet is one front and one back", kind="page count")
        return
    front, back = read_marks(doc, pages[0]), read_marks(doc, pages[1])
    for axis in ("x", "y"):
        for v in values():
            key = value_key(v)
            f, b = front.get(f"calib-{axis}-front-{key}"), back.get(f"calib-{axis}-back-{key}")
            if f is None or b is None:
                report.add(f"ladder {axis.upper()}: rung {key} is missing a line", kind="missing mark")
                continue
            f = Rect(*f)
            # Undo the rung's value (a move on the back page), then turn the sheet over: where the
            # back line lands, seen from the front, at zero offset: centred on its stretch of the line.
            dx, dy = (v * MM + ox, oy) if axis == "x" else (ox, v * MM + oy)
            landed = turn_over(Rect(*b).shifted(-dx, -dy), paper, flip)
            if axis == "x":
                ok = (abs(landed.x - f.x) < tol and abs(landed.w - f.w) < tol
                      and abs(landed.y + landed.h / 2 - f.y - f.h / 2) < tol)
            else:
                ok = (abs(landed.y - f.y) < tol and abs(landed.h - f.h) < tol
                      and abs(landed.x + landed.w / 2 - f.x - f.w / 2) < tol)
            if not ok:
                report.add(f"ladder {axis.upper()}: the back line of rung {key} is not where --back-offset "
                           f"would put it for that value", kind="mark position")
    report.facts = {"paper_mm": [round(p / MM, 1) for p in paper], "flip": f"{flip} edge",
                    "rungs": len(values()), "back_offset_mm": [round(ox / MM, 2), round(oy / MM, 2)]}
    report.description = (f"two ladders of {len(values())} rungs, {STEP / MM:g} mm apart, for a "
                          f"{flip}-edge flip" + (f", backs moved by --back-offset {round(ox / MM, 2):g},"
                                                 f"{round(oy / MM, 2):g}" if (ox, oy) != (0, 0) else ""))

