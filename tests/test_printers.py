"""Real printers, proven from the PDFs: the back offset, the calibration sheet, saved printer
profiles, bleed, the fold-over and manual-duplex modes.

Where things must be is worked out here from first principles (the flip rule, the offset's sign
convention: added on the back page after mirroring), not from builder.geometry or builder.calibrate.
A misregistering printer is simulated by moving everything on a back page by (sx, sy) before
turning the sheet over. Builds share module-scoped fixtures; a few cases use the real command line.
"""
from __future__ import annotations

import functools
import io
import math
import shutil
import subprocess
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, FloatObject, NameObject

from builder.calibrate import build_calibration
from builder.checking import check_pdf
from builder.deck import parse_deck_text
from builder.options import resolve
from builder.selection import select_cards
from builder.printers import dump
from tests.conftest import build_output, run_fiszki
from tests.drawing import crop_marks

MM = 72 / 25.4
EXACT = 0.05  # pt: positions are written to 0.001 bp; TeX's own rounding stays far below this
PAD = 3 * MM  # the card's safe area: text never comes closer to the card's edge
MARGIN = 5 * MM


# --- first principles -----------------------------------------------------------------------------

def turned_over(rect, paper, flip):
    """Where `rect` of one side is on the other side's page once the sheet is turned over its flip
    edge: over the long edge of portrait paper (short edge of landscape) left and right swap,
    otherwise top and bottom swap. Its own inverse."""
    x, y, w, h = rect
    pw, ph = paper
    if (flip == "long") == (ph > pw):
        return (pw - x - w, y, w, h)
    return (x, ph - y - h, w, h)


def moved(rect, dx, dy):
    return (rect[0] + dx, rect[1] + dy, rect[2], rect[3])


def close(a, b, tol=EXACT) -> bool:
    return all(abs(p - q) <= tol for p, q in zip(a, b))


def centre(rect):
    return rect[0] + rect[2] / 2, rect[1] + rect[3] / 2


def overlaps(a, b) -> bool:
    return (min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]) > 0.01
            and min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]) > 0.01)


def inside(r, area, tol=0.01) -> bool:
    return (r[0] >= area[0] - tol and r[1] >= area[1] - tol
            and r[0] + r[2] <= area[0] + area[2] + tol and r[1] + r[3] <= area[1] + area[3] + tol)


# --- reading PDFs -------------------------------------------------------------------------------

@functools.lru_cache(maxsize=32)
def _annotations(pdf: bytes) -> tuple:
    return tuple(_read_annotations(pdf))


def annotations(pdf: bytes) -> list[dict[str, tuple]]:
    """Per page: hidden annotation name -> (x, y, w, h); under "cutmarks", the crop marks as
    drawn (read from the content stream). Read once per PDF."""
    return [dict(page) for page in _annotations(pdf)]


def _read_annotations(pdf: bytes) -> list[dict[str, tuple]]:
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        found: dict = {}
        for ref in page.get("/Annots", []) or []:
            annot = ref.get_object()
            x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
            found[str(annot.get("/NM", ""))] = (min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1))
        found["cutmarks"] = crop_marks(page, list(cards_of(found).values()))
        pages.append(found)
    return pages


@functools.lru_cache(maxsize=32)
def info(pdf: bytes) -> dict:
    return PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/FiszkiInfo"]


def cut_lines(marks) -> tuple[list[float], list[float]]:
    """The cut lines crop marks show: x of upright marks, y of flat ones, each once."""
    xs = {round(m[0] + m[2] / 2, 2) for m in marks if m[3] > m[2]}
    ys = {round(m[1] + m[3] / 2, 2) for m in marks if m[2] > m[3]}
    return sorted(xs), sorted(ys)


def cards_of(page: dict) -> dict[str, tuple]:
    return {k: v for k, v in page.items() if k.startswith("card-")}


# --- builds -------------------------------------------------------------------------------------

def numbered_deck(n: int) -> str:
    out = ["---\ntitle: Printer test\nlang: en\n---\n", "# Basics\n"]
    out += [f"## Question {k}: what is $x_{{{k}}}$?\nAnswer {k}: it is $x_{{{k}}} = {k}$.\n" for k in range(1, n + 1)]
    return "\n".join(out)


def build(tmp: Path, n: int, **options) -> bytes:
    """The flashcard half of `fiszki build`, called directly: real deck, options and TeX."""
    tmp.mkdir(parents=True, exist_ok=True)
    deck = parse_deck_text(numbered_deck(n), tmp / "deck.md", "deck.md")
    opts = resolve(deck, options)
    result = build_output("flashcards", deck, select_cards(deck, opts), opts)
    assert not result.errors
    return result.main[1]


OFFSET = (-1.0, 1.5)  # mm: what the calibration sheet reads for a printer shifting backs by (1.0, -1.5)
BUILDS = {  # 12 cards: two sheets of 10 business cards (the second half empty)
    "zero": dict(),
    "offset": dict(back_offset="-1.0,1.5"),
    "fronts": dict(back_offset="-1.0,1.5", mode="fronts"),
    "backs": dict(back_offset="-1.0,1.5", mode="backs"),
    "backs-reversed": dict(back_offset="-1.0,1.5", mode="backs", reverse=True),
    "landscape": dict(back_offset="2.5,-0.5", paper="letter", orientation="landscape"),
    "bleed-gutter": dict(back_offset="0.5,-0.5", gutter="4mm", bleed="3mm"),
    "fold": dict(mode="fold", bleed="2mm"),
    "fold-under": dict(mode="fold", card="66x40", cut_marks="dashed"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("printers")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(build, root / name, 12, **opts) for name, opts in BUILDS.items()}
        return {name: f.result() for name, f in futures.items()}


CALIBRATIONS = {"a4-long": ("a4", "portrait", "long"), "a4-short": ("a4", "portrait", "short"),
                "letter-landscape": ("letter", "landscape", "long")}


@pytest.fixture(scope="module")
def calibration() -> dict[str, bytes]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(build_calibration, *args) for name, args in CALIBRATIONS.items()}
        return {name: f.result() for name, f in futures.items()}


# --- the back offset ------------------------------------------------------------------------------

@functools.lru_cache(maxsize=32)
def paper_of(pdf: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return float(box.width), float(box.height)


@pytest.mark.tex
@pytest.mark.parametrize("name, flip", [("offset", "long"), ("landscape", "long")])
def test_backs_with_an_offset_are_the_mirrored_fronts_moved_by_it(built, name, flip):
    """Cards, crop marks and the margin note of every back page: exactly where the zero-offset
    build puts them, moved by the offset on the back page."""
    pdf, paper = built[name], paper_of(built[name])
    dx, dy = (float(v) * MM for v in BUILDS[name]["back_offset"].split(","))
    recorded = [float(v) for v in info(pdf)["/BackOffset"]]
    assert close(recorded, (dx, dy), 0.001)
    pages = annotations(pdf)
    assert len(pages) == 4
    for front, back in ((pages[0], pages[1]), (pages[2], pages[3])):
        for key, rect in cards_of(front).items():
            want = moved(turned_over(rect, paper, flip), dx, dy)
            assert close(back[key.replace("front", "back")], want), key
        assert len(cards_of(back)) == len(cards_of(front))
        # Crop marks sit at the mirrored cut lines, moved by the offset (the margin note too: below).
        assert front["cutmarks"] and len(back["cutmarks"]) == len(front["cutmarks"])
        xs, ys = cut_lines(front["cutmarks"])
        turned = [turned_over((x, y, 0, 0), paper, flip)[:2] for x in xs for y in ys]
        want = (sorted({round(x + dx, 2) for x, _ in turned}), sorted({round(y + dy, 2) for _, y in turned}))
        got = cut_lines(back["cutmarks"])
        assert got[0] == pytest.approx(want[0], abs=0.02) and got[1] == pytest.approx(want[1], abs=0.02)
    if name == "offset":  # the same deck and layout without an offset: the whole back page moves
        zero = annotations(built["zero"])
        for a, b in ((zero[1], pages[1]), (zero[3], pages[3])):
            for key, rect in a.items():
                if key == "cutmarks":  # here every mark has room for its full length
                    assert len(b[key]) == len(rect)
                    assert all(close(m, moved(r, dx, dy)) for m, r in zip(sorted(b[key]), sorted(rect)))
                else:
                    assert close(b[key], moved(rect, dx, dy)), key
    assert check_pdf(pdf).ok


@pytest.mark.tex
def test_checker_applies_the_recorded_offset(built):
    """The checker reads the offset from the PDF: the same file with the record set to zero fails."""
    report = check_pdf(built["offset"])
    assert report.ok and report.facts["max_back_error_pt"] < EXACT
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(built["offset"])))
    writer._root_object["/FiszkiInfo"][NameObject("/BackOffset")] = ArrayObject([FloatObject(0), FloatObject(0)])
    out = io.BytesIO()
    writer.write(out)
    problems = check_pdf(out.getvalue()).problems
    assert problems and all("away from where its front lands" in p or "margin" in p for p in problems)


# --- the calibration sheet ------------------------------------------------------------------------

def rungs(pdf: bytes, axis: str, sx: float = 0.0, sy: float = 0.0) -> dict[float, tuple]:
    """Ladder `axis` as seen against a window: value -> (front stretch, back line, its number),
    the back's as they land on the front after a printer moved its back page by (sx, sy)."""
    front, back = annotations(pdf)
    paper = paper_of(pdf)
    flip = str(info(pdf)["/Flip"]).lstrip("/")
    out = {}
    for name, rect in front.items():
        prefix = f"calib-{axis}-front-"
        if name.startswith(prefix):
            key = name[len(prefix):]
            land = lambda r: turned_over(moved(r, sx, sy), paper, flip)  # noqa: E731
            out[float(key)] = (rect, land(back[f"calib-{axis}-back-{key}"]), land(back[f"calib-{axis}-label-{key}"]))
    return out


def misfit(axis: str, front, back) -> float:
    """How far a back line is from lying on the front line (pt), across the line."""
    i = 0 if axis == "x" else 1
    return centre(back)[i] - centre(front)[i]


def reading(pdf: bytes, axis: str, sx: float, sy: float) -> float:
    """What the student reads: the number of the back line lying closest to the front line."""
    found = rungs(pdf, axis, sx, sy)
    return min(found, key=lambda v: abs(misfit(axis, *found[v][:2])))


@pytest.mark.tex
@pytest.mark.parametrize("name", list(CALIBRATIONS))
def test_calibration_at_zero_shift_rung_0_lines_up_and_rung_v_is_v_off(calibration, name):
    pdf = calibration[name]
    assert check_pdf(pdf).ok
    assert PdfReader(io.BytesIO(pdf)).page_labels == ["1-front", "1-back"]
    for axis in ("x", "y"):
        found = rungs(pdf, axis)
        assert sorted(found) == [k / 2 for k in range(-10, 11)]
        along = 1 if axis == "x" else 0  # the direction of the front line, in which the rungs follow
        gaps = []
        for v, (front, back, number) in found.items():
            assert abs(abs(misfit(axis, front, back)) - abs(v) * MM) < EXACT, (axis, v)
            # Along the line the back line sits on its own stretch of the front line, and its
            # number beside it, on the far side of the front line, never across it.
            assert abs(centre(back)[along] - centre(front)[along]) < EXACT
            assert front[along] <= centre(number)[along] <= front[along] + front[along + 2]
            gap = misfit(axis, front, number) - misfit(axis, front, back)
            assert abs(gap) > 5 * MM  # beyond the whole staircase …
            assert misfit(axis, front, number) * gap > 0  # … on one side of the front line for all rungs …
            gaps.append(gap)  # … and moving with its line: the same distance from it on every rung
        assert max(gaps) - min(gaps) < EXACT
        zero = found[0.0]
        assert close(zero[0][:1] if axis == "x" else zero[0][1:2], zero[1][:1] if axis == "x" else zero[1][1:2])


SHIFTS = [(1.0, -1.5), (-2.5, 0.5), (0.3, 4.2), (-4.9, -3.1), (0.0, 0.0)]


@pytest.mark.tex
@pytest.mark.parametrize("name", list(CALIBRATIONS))
@pytest.mark.parametrize("sx, sy", SHIFTS)
def test_calibration_reads_the_offset_that_cancels_the_printer_shift(calibration, name, sx, sy):
    """A printer moving its backs by (sx, sy) mm: the line lying on the front line is labelled
    -sx (ladder X) and -sy (ladder Y), to the nearest 0.5 mm, whatever the shift across."""
    pdf = calibration[name]
    x, y = reading(pdf, "x", sx * MM, sy * MM), reading(pdf, "y", sx * MM, sy * MM)
    assert abs(x + sx) <= 0.25 + 1e-9 and abs(y + sy) <= 0.25 + 1e-9, (x, y)
    if (sx * 2).is_integer() and (sy * 2).is_integer():  # on a rung: it lies exactly on the line
        assert (x, y) == (-sx + 0.0, -sy + 0.0)
        for axis, v in (("x", x), ("y", y)):
            front, back, number = rungs(pdf, axis, sx * MM, sy * MM)[v]
            assert abs(misfit(axis, front, back)) < EXACT
    # The number read is the one printed beside that line: it moved with it, whatever the shift.
    for axis, v in (("x", x), ("y", y)):
        found = rungs(pdf, axis, sx * MM, sy * MM)
        along = 1 if axis == "x" else 0
        nearest = min(found, key=lambda u: abs(centre(found[u][2])[along] - centre(found[v][1])[along]))
        assert nearest == v


@pytest.mark.tex
@pytest.mark.parametrize("name, calib", [("offset", "a4-long"), ("landscape", "letter-landscape")])
def test_the_offset_read_cancels_the_printer_shift_on_flashcards(built, calibration, name, calib):
    """Compose it: a printer that shifts backs by s; the calibration sheet read on that printer;
    flashcards built with the number read; printed on that printer: every back behind its front."""
    want = [float(v) for v in BUILDS[name]["back_offset"].split(",")]
    sx, sy = -want[0], -want[1]  # the printer that the build's offset was read for
    read = (reading(calibration[calib], "x", sx * MM, sy * MM), reading(calibration[calib], "y", sx * MM, sy * MM))
    assert list(read) == want
    pdf = built[name]
    paper, flip = paper_of(pdf), "long"
    pages = annotations(pdf)
    for front, back in ((pages[0], pages[1]), (pages[2], pages[3])):
        for key, rect in cards_of(front).items():
            printed = moved(back[key.replace("front", "back")], sx * MM, sy * MM)
            assert close(turned_over(printed, paper, flip), rect), key
    # Without the offset the same printer misses by the whole shift.
    zero = annotations(built["zero"])
    key, rect = next(iter(cards_of(zero[0]).items()))
    printed = moved(zero[1][key.replace("front", "back")], sx * MM, sy * MM)
    if name == "offset":
        assert math.dist(turned_over(printed, paper, flip)[:2], rect[:2]) == pytest.approx(math.hypot(sx, sy) * MM, abs=0.01)


@pytest.mark.tex
def test_a_confirming_calibration_sheet_places_its_backs_as_a_build_with_the_offset(calibration):
    """`fiszki calibrate --back-offset X,Y`: printed on the printer that offset was read for, the
    zero rungs lie on the front lines and are numbered X and Y; any other rung is off by its value."""
    from builder.calibrate import plan_calibration

    offset = (OFFSET[0] * MM, OFFSET[1] * MM)
    pdf = build_calibration("a4", "portrait", "long", offset)
    report = check_pdf(pdf)
    assert report.ok and report.facts["back_offset_mm"] == list(OFFSET), report.lines()
    sx, sy = -offset[0], -offset[1]  # the printer's shift that the offset cancels
    for axis in ("x", "y"):
        for v, (front, back, _) in rungs(pdf, axis, sx, sy).items():
            assert abs(abs(misfit(axis, front, back)) - abs(v) * MM) < EXACT, (axis, v)
        # The plain sheet on that printer is off by the whole shift at rung 0.
        plain = rungs(calibration["a4-long"], axis, sx, sy)[0.0]
        assert abs(abs(misfit(axis, *plain[:2])) - abs(OFFSET[0 if axis == "x" else 1]) * MM) < EXACT
    labels = {lab.name: lab.text for lab in plan_calibration("a4", "portrait", "long", offset).back.labels}
    assert labels["calib-x-label-+0.0"] == "\\textminus{}1" and labels["calib-y-label-+0.0"] == "+1.5"
    assert labels["calib-x-label-+1.5"] == "+0.5"
    # The checker holds the back lines to the recorded offset: with the record cleared they fail.
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer._root_object["/FiszkiInfo"][NameObject("/BackOffset")] = ArrayObject([FloatObject(0), FloatObject(0)])
    out = io.BytesIO()
    writer.write(out)
    assert any("not where --back-offset would put it" in p for p in check_pdf(out.getvalue()).problems)


@pytest.mark.tex
def test_calibration_sheet_looks_right(calibration, tmp_path):
    """Rendered: ink on both pages where the ladders are, and the back's numbers in mirror writing
    (asserted from the annotations above; here the picture exists and is not blank)."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm not installed")
    pdf = tmp_path / "calibration.pdf"
    pdf.write_bytes(calibration["a4-long"])
    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(pdf), str(tmp_path / "p")], check=True)
    for page in ("p-1.pgm", "p-2.pgm"):
        data = (tmp_path / page).read_bytes()
        pixels = data[data.index(b"255\n") + 4:]
        assert sum(1 for b in pixels if b < 128) > 200  # lines and words, not a blank page


# --- manual duplex ------------------------------------------------------------------------------

@pytest.mark.tex
def test_fronts_and_backs_modes_are_the_duplex_pages_in_order(built):
    duplex = annotations(built["offset"])
    assert annotations(built["fronts"]) == duplex[0::2]
    assert annotations(built["backs"]) == duplex[1::2]
    assert annotations(built["backs-reversed"]) == duplex[1::2][::-1]
    labels = lambda name: PdfReader(io.BytesIO(built[name])).page_labels  # noqa: E731
    assert labels("fronts") == ["1-front", "2-front"]
    assert labels("backs-reversed") == ["2-back", "1-back"]
    for name in ("fronts", "backs", "backs-reversed"):
        assert str(info(built[name])["/Mode"]) == "/" + BUILDS[name]["mode"]
        report = check_pdf(built[name])
        assert report.ok, report.lines()


@pytest.mark.tex
def test_checker_holds_each_page_to_its_recorded_mode(built):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(built["fronts"])))
    writer._root_object["/FiszkiInfo"][NameObject("/Mode")] = NameObject("/backs")
    out = io.BytesIO()
    writer.write(out)
    problems = check_pdf(out.getvalue()).problems
    assert len(problems) == 2 and all("holds fronts, but this PDF was made to hold backs only" in p for p in problems)


# --- fold-over ----------------------------------------------------------------------------------

@pytest.mark.tex
@pytest.mark.parametrize("name, beside", [("fold", True), ("fold-under", False)])
def test_fold_mode_puts_each_question_beside_its_own_answer(built, name, beside):
    pdf = built[name]
    paper = paper_of(pdf)
    pages = annotations(pdf)
    safe = (MARGIN, MARGIN, paper[0] - 2 * MARGIN, paper[1] - 2 * MARGIN)
    seen = []
    for page in pages:
        cards = cards_of(page)
        numbers = sorted({int(k.split("-")[1]) for k in cards})
        seen += numbers
        for n in numbers:
            q, a = cards[f"card-{n}-front"], cards[f"card-{n}-back"]
            # Same size, sharing the whole fold edge: the answer to the right, or under the question.
            want = (q[0] + q[2], q[1], q[2], q[3]) if beside else (q[0], q[1] - q[3], q[2], q[3])
            assert close(a, want), (n, q, a)
            assert inside(q, safe) and inside(a, safe)
            line = (a[0], a[1] + a[3] / 2) if beside else (a[0] + a[2] / 2, a[1] + a[3])  # the shared edge's middle
            assert any(close(centre(r), line, 0.01) for k, r in page.items() if k.startswith("fold-")), n
        assert bool(page["cutmarks"]) == (name == "fold")  # fold-under has dashed cut lines instead
        for m in page["cutmarks"]:
            assert not any(overlaps(m, r) for r in cards.values())
    assert seen == list(range(1, 13))
    assert PdfReader(io.BytesIO(pdf)).page_labels[0] == "1-fold"
    report = check_pdf(pdf)
    assert report.ok and report.facts["mode"] == "fold", report.lines()
    # One-sided pages: the OK line names no flip edge (it said "long-edge flip").
    assert "flip" not in report.lines()[0] and "fold line" in report.lines()[0], report.lines()


@pytest.mark.tex
def test_checker_finds_an_answer_moved_away_from_its_question(built):
    reader = PdfReader(io.BytesIO(built["fold"]))
    writer = PdfWriter(clone_from=reader)
    for ref in writer.pages[0]["/Annots"]:
        annot = ref.get_object()
        if annot.get("/NM") == "card-2-back":
            x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
            annot[NameObject("/Rect")] = ArrayObject([FloatObject(v) for v in (x1 + 3, y1, x2 + 3, y2)])
    out = io.BytesIO()
    writer.write(out)
    problems = [p for p in check_pdf(out.getvalue()).problems if p.kind != "clip"]  # (its drawing stayed)
    assert len(problems) == 1 and problems[0].startswith('#2 "Question 2') and "not beside its question" in problems[0]


def render(pdf: bytes, tmp: Path, dpi: int = 100) -> list[tuple[int, int, bytes]]:
    (tmp / "in.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(tmp / "in.pdf"), str(tmp / "p")], check=True)
    out = []
    for path in sorted(tmp.glob("p-*.pgm")):
        data = path.read_bytes()
        head = data.split(b"\n", 3)
        w, h = (int(v) for v in head[1].split())
        out.append((w, h, head[3]))
    return out


@pytest.mark.tex
@pytest.mark.parametrize("name", ["zero", "fold"])
def test_text_never_enters_the_safe_area_inside_each_card_edge(built, name, tmp_path):
    """Rendered: the band between each card's edge and PAD inside it holds no ink, only the card's
    own background (white, or the bleed colour), on every page."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm not installed")
    dpi = 100
    px = 72 / dpi
    pages = annotations(built[name])
    images = render(built[name], tmp_path, dpi)
    checked = 0
    for page, (w, h, pixels) in zip(pages, images):
        for key, (x, y, cw, ch) in cards_of(page).items():
            values = []
            for j in range(max(0, int((h * px - y - ch) / px)), min(h, int((h * px - y) / px) + 1)):
                top = (h - j) * px  # the pixel spans PDF y from top - px to top
                for i in range(max(0, int(x / px)), min(w, int((x + cw) / px) + 1)):
                    left = i * px
                    if not (left >= x + 1 and left + px <= x + cw - 1 and top - px >= y + 1 and top <= y + ch - 1):
                        continue  # not wholly inside the card (less a point for the cut line)
                    if (left + px > x + PAD - px and left < x + cw - PAD + px
                            and top > y + PAD - px and top - px < y + ch - PAD + px):
                        continue  # inside the text area (plus a pixel of anti-aliasing)
                    values.append(pixels[j * w + i])
            assert len(values) > 1000 and max(values) - min(values) <= 3, (key, min(values), max(values))
            checked += 1
    assert checked == 24


# --- bleed ----------------------------------------------------------------------------------------

@pytest.mark.tex
@pytest.mark.parametrize("name", ["bleed-gutter", "fold"])
def test_bleed_reaches_past_the_cut_line_but_never_onto_a_neighbour(built, name):
    opts = BUILDS[name]
    bleed = float(opts["bleed"].rstrip("m")) * MM
    gutter = float(opts.get("gutter", "0mm").rstrip("m")) * MM
    dx, dy = (float(v) * MM for v in opts.get("back_offset", "0,0").split(","))
    pdf = built[name]
    paper = paper_of(pdf)
    safe = (MARGIN + dx, MARGIN + dy, paper[0] - 2 * MARGIN, paper[1] - 2 * MARGIN)
    pages = annotations(pdf)
    for number, page in enumerate(pages):
        cards = cards_of(page)
        backs = {k: r for k, r in cards.items() if k.endswith("-back")}
        assert {f"bleed-{k[5:]}" for k in backs} == {k for k in page if k.startswith("bleed-")}
        # Every place of the grid, filled or not: the first (full) sheet's page of the same side.
        grid = list(cards_of(pages[number % 2 if name != "fold" else 0]).values())
        for key, r in backs.items():
            b = page[f"bleed-{key[5:]}"]
            grown = (r[0] - b[0], b[0] + b[2] - r[0] - r[2], r[1] - b[1], b[1] + b[3] - r[1] - r[3])  # l r d u
            for edge, amount in enumerate(grown):
                # A neighbour across this edge? Where cards touch: none; across a gutter: half of it.
                step = [(-1, 0), (1, 0), (0, -1), (0, 1)][edge]
                probe = moved(r, step[0] * (r[2] / 2 + gutter / 2 + 1), step[1] * (r[3] / 2 + gutter / 2 + 1))
                neighbour = any(overlaps(probe, o) for o in grid if o != r)
                room = [r[0] - safe[0], safe[0] + safe[2] - r[0] - r[2], r[1] - safe[1], safe[1] + safe[3] - r[1] - r[3]][edge]
                want = min(bleed, gutter / 2) if neighbour else min(bleed, room)
                assert amount == pytest.approx(want, abs=EXACT), (key, edge, amount, want)
            assert not any(overlaps(b, o) for o in grid if o != r)
    fronts = [k for page in annotations(pdf) for k in page if k.startswith("bleed-") and k.endswith("front")]
    assert not fronts and float(info(pdf)["/Bleed"]) == pytest.approx(bleed, abs=0.001)


# --- printer profiles and the command line ----------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=12), st.dictionaries(
    st.sampled_from(["back_offset", "paper", "flip", "x y", 'q"uote']), st.text(max_size=20), max_size=4), max_size=4))
def test_the_hand_written_toml_reads_back_with_tomllib(profiles):
    assert tomllib.loads(dump(profiles)).get("printers", {}) == profiles


PROFILE_DECK = """\
---
title: Profile test
lang: en
back_offset: "0.5,0.5"
flip: long
paper: a4
---

# Basics

## What is one?
One.

## What is two?
Two.
"""


@pytest.mark.tex
def test_printer_profiles_save_list_and_sit_between_front_matter_and_command_line(tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    deck = tmp_path / "deck.md"
    deck.write_text(PROFILE_DECK, encoding="utf-8")
    run = lambda *args: run_fiszki(*args, env=env)  # noqa: E731

    assert run("printer", "list").code == 0
    saved = run("printer", "save", "office", "--back-offset", "-1.5,2", "--paper", "letter", "--flip", "short")
    assert saved.code == 0, saved.stderr
    assert run("printer", "save", "home", "--back-offset", "0.25,0").code == 0
    listed = run("printer", "list")
    assert listed.stdout.splitlines() == ["home: back offset 0.25,0 mm",
                                          "office: back offset -1.5,2 mm · paper letter · flip short"]
    config = tomllib.loads((tmp_path / "config" / "fiszki" / "printers.toml").read_text())
    assert config["printers"]["office"] == {"back_offset": "-1.5,2", "paper": "letter", "flip": "short"}

    # The profile beats the front matter ...
    out = tmp_path / "a"
    result = run("build", str(deck), "--out", str(out), "--printer", "office", "--no-cache")
    assert result.code == 0, result.stderr
    record = info((out / "flashcards.pdf").read_bytes())
    assert [round(float(v) / MM, 3) for v in record["/BackOffset"]] == [-1.5, 2.0]
    assert str(record["/Flip"]) == "/short"
    assert [round(float(v)) for v in record["/Paper"]] == [612, 792]
    # ... and the command line beats the profile; every mode passes the build's own check.
    out = tmp_path / "b"
    result = run("build", str(deck), "--out", str(out), "--printer", "office", "--back-offset", "0,-1", "--flip",
                 "long", "--mode", "backs", "--reverse", "--no-cache")
    assert result.code == 0, result.stderr
    record = info((out / "flashcards-backs.pdf").read_bytes())
    assert [round(float(v) / MM, 3) for v in record["/BackOffset"]] == [0.0, -1.0]
    assert (str(record["/Flip"]), str(record["/Mode"]), bool(record["/Reverse"])) == ("/long", "/backs", True)
    assert [round(float(v)) for v in record["/Paper"]] == [612, 792]

    assert run("printer", "remove", "home").code == 0
    assert run("printer", "list").stdout.splitlines() == ["office: back offset -1.5,2 mm · paper letter · flip short"]


def test_printer_mistakes_are_one_line_usage_errors(tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    run = lambda *args: run_fiszki(*args, env=env)  # noqa: E731
    missing = run("build", "--printer", "nope")
    assert missing.code == 2 and "no printer named 'nope'" in missing.stderr and "saved: none yet" in missing.stderr
    bad = run("printer", "save", "office", "--back-offset", "1,2x")
    assert bad.code == 2 and "invalid length '2x'" in bad.stderr
    bad = run("printer", "save", "my printer", "--back-offset", "1,2")
    assert bad.code == 2 and "printer name 'my printer'" in bad.stderr
    path = tmp_path / "config" / "fiszki" / "printers.toml"
    path.parent.mkdir(parents=True)
    path.write_text("[printers.office]\nback_offset = 1.5,\n")
    broken = run("printer", "list")
    assert broken.code == 2 and str(path) in broken.stderr and "not valid TOML" in broken.stderr
    assert "Traceback" not in broken.stderr and len(broken.stderr.strip().splitlines()) == 1
    path.write_text('[printers.office]\nback_offset = "1.5,0"\ncolour = "red"\n')
    odd = run("build", "--printer", "office")
    assert odd.code == 2 and "unknown setting 'colour'" in odd.stderr
    deck = tmp_path / "deck.md"
    deck.write_text(PROFILE_DECK, encoding="utf-8")
    for args, message in ((("--back-offset", "30,0"), "back offset 30,0 mm pushes back cards off the page"),
                          (("--bleed=-1",), "--bleed must not be negative")):
        result = run("build", str(deck), "--out", str(tmp_path / "out"), *args)
        assert result.code == 2 and f"error: {message}" in result.stderr, result.stderr
        assert "internal error" not in result.stderr and not (tmp_path / "out").exists()


@pytest.mark.tex
def test_calibrate_command_writes_the_checked_sheet(tmp_path):
    result = run_fiszki("calibrate", "--paper", "letter", "--flip", "short", "--out", str(tmp_path))
    assert result.code == 0, result.stderr
    pdf = (tmp_path / "calibration.pdf").read_bytes()
    assert str(info(pdf)["/Flip"]) == "/short" and [round(v) for v in paper_of(pdf)] == [612, 792]
    checked = run_fiszki("check", str(tmp_path / "calibration.pdf"))
    assert checked.code == 0 and "OK (calibration sheet" in checked.stdout
    confirm = run_fiszki("calibrate", "--back-offset", "-1,1.5", "--out", str(tmp_path / "confirm"))
    assert confirm.code == 0, confirm.stderr
    checked = run_fiszki("check", str(tmp_path / "confirm" / "calibration.pdf"))
    assert checked.code == 0 and "backs moved by --back-offset -1,1.5" in checked.stdout, checked.stdout
    small = run_fiszki("calibrate", "--paper", "100x120", "--out", str(tmp_path / "small"))
    assert small.code == 2 and "calibrate on A4 or letter" in small.stderr
    assert not (tmp_path / "small").exists()
