"""Tests for builder.geometry: parsing, sheet fitting, duplex mirroring, cuts."""
import itertools

import pytest

from builder.geometry import (
    CARD_PRESETS, DEFAULT_GUTTER_MM, DEFAULT_MARGIN_MM, INCH, MM,
    PAPERS, GeometryError, Rect, SheetLayout, parse_card, parse_grid,
    parse_length, parse_offset, parse_paper, parse_size, plan_sheet,
)
from builder.options import DEFAULT_CARD

A4_W, A4_H = 210 * MM, 297 * MM
MARGIN = DEFAULT_MARGIN_MM * MM


def approx(v):
    return pytest.approx(v, abs=1e-6)


def business_a4(**kw):
    return plan_sheet((A4_W, A4_H), CARD_PRESETS["business"], MARGIN, **kw)


# --- parsing -------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("5", 5 * MM), ("5mm", 5 * MM), (" 5 MM ", 5 * MM), ("2.5 cm", 25 * MM),
    ("0.25in", 18.0), ("72.27pt", 72.0), ("12bp", 12.0), (".5in", 36.0),
    ("-1.5", -1.5 * MM), ("+2", 2 * MM),
])
def test_parse_length_good(text, expected):
    assert parse_length(text) == approx(expected)


def test_parse_length_default_unit():
    assert parse_length("2", default_unit="in") == approx(144.0)
    assert parse_length("2mm", default_unit="in") == approx(2 * MM)


@pytest.mark.parametrize("text", ["", "abc", "5 furlongs", "5mm5", "--5", "1,5", "mm"])
def test_parse_length_bad(text):
    with pytest.raises(GeometryError) as exc:
        parse_length(text)
    msg = str(exc.value)
    assert repr(text) in msg and "e.g." in msg


@pytest.mark.parametrize("text, expected", [
    ("90x50", (90 * MM, 50 * MM)),
    ("90x50mm", (90 * MM, 50 * MM)),
    ("90 x 50 mm", (90 * MM, 50 * MM)),
    ("90X50", (90 * MM, 50 * MM)),
    ("90×50", (90 * MM, 50 * MM)),
    ("3x5in", (3 * INCH, 5 * INCH)),     # trailing unit applies to both
    ("3inx5in", (3 * INCH, 5 * INCH)),
    ("3inx50mm", (3 * INCH, 50 * MM)),
    ("3inx50", (3 * INCH, 50 * MM)),     # no trailing unit -> mm for the second
])
def test_parse_size_good(text, expected):
    w, h = parse_size(text)
    assert (w, h) == (approx(expected[0]), approx(expected[1]))


@pytest.mark.parametrize("text", ["90", "90x", "x50", "90x50x3", "0x50", "-90x50", "90x0", "ax b"])
def test_parse_size_bad(text):
    with pytest.raises(GeometryError, match="invalid size") as exc:
        parse_size(text)
    assert repr(text) in str(exc.value)


def test_parse_paper_names_and_orientation():
    assert parse_paper("A4") == (approx(A4_W), approx(A4_H))
    assert parse_paper(" a4 ", "Landscape") == (approx(A4_H), approx(A4_W))
    assert parse_paper("LETTER") == (approx(612.0), approx(792.0))
    assert parse_paper("letter", "landscape") == (approx(792.0), approx(612.0))


def test_parse_paper_custom_size_is_oriented():
    # A custom size given "landscape-wise" still comes back portrait by default.
    assert parse_paper("300x200") == (approx(200 * MM), approx(300 * MM))
    assert parse_paper("200x300", "landscape") == (approx(300 * MM), approx(200 * MM))


def test_parse_paper_bad():
    with pytest.raises(GeometryError, match=r"unknown paper 'a5'.*a4, letter"):
        parse_paper("a5")
    with pytest.raises(GeometryError, match=r"unknown orientation 'sideways'.*landscape"):
        parse_paper("a4", "sideways")


@pytest.mark.parametrize("spec, expected", [
    ("business", (85 * MM, 55 * MM)),
    ("Business", (85 * MM, 55 * MM)),
    ("a7", (105 * MM, 74 * MM)),
    ("A8", (74 * MM, 52 * MM)),
    ("poker", (63 * MM, 88 * MM)),
    ("index3x5", (5 * INCH, 3 * INCH)),
    ("index-3x5", (5 * INCH, 3 * INCH)),
    ("INDEX_4X6", (6 * INCH, 4 * INCH)),
    ("30x50", (30 * MM, 50 * MM)),       # bare numbers are mm
    ("90x50", (90 * MM, 50 * MM)),
    ("3x5in", (3 * INCH, 5 * INCH)),
])
def test_parse_card(spec, expected):
    w, h = parse_card(spec)
    assert (w, h) == (approx(expected[0]), approx(expected[1]))


@pytest.mark.parametrize("spec", ["huge", "index5x8", ""])
def test_parse_card_bad(spec):
    with pytest.raises(GeometryError, match=r"unknown card .*business"):
        parse_card(spec)


def test_parse_card_too_small():
    with pytest.raises(GeometryError, match=r"card '3x5' is 3 x 5 mm: cards need at least 20 mm a side .*; 3x5in is inches"):
        parse_card("3x5")  # bare numbers are mm, not an index card
    with pytest.raises(GeometryError, match=r"card '20x19.9mm' is 20 x 19.9 mm: cards need at least 20 mm a side"):
        parse_card("20x19.9mm")
    assert parse_card("20x20") == (approx(20 * MM), approx(20 * MM))


def test_default_card_is_a_preset():
    assert DEFAULT_CARD in CARD_PRESETS
    assert DEFAULT_GUTTER_MM == 0.0


@pytest.mark.parametrize("spec, expected", [("4x2", (4, 2)), (" 3 × 1 ", (3, 1)), ("10X3", (10, 3))])
def test_parse_grid_good(spec, expected):
    assert parse_grid(spec) == expected


@pytest.mark.parametrize("spec", ["0x2", "2x0", "4", "2.5x2", "axb", "-1x2", "4x2x1"])
def test_parse_grid_bad(spec):
    with pytest.raises(GeometryError, match=r"invalid grid .*ROWSxCOLS"):
        parse_grid(spec)


def test_parse_offset():
    assert parse_offset("1.5,-0.5") == (approx(1.5 * MM), approx(-0.5 * MM))
    assert parse_offset(" 0.1in , 2pt ") == (approx(7.2), approx(2 * 72 / 72.27))
    assert parse_offset("0,0") == (0.0, 0.0)


@pytest.mark.parametrize("spec", ["1.5", "1,2,3", "a,b", ""])
def test_parse_offset_bad(spec):
    with pytest.raises(GeometryError, match="offset|length"):
        parse_offset(spec)


# --- Rect ----------------------------------------------------------------

def test_rect_helpers():
    r = Rect(1, 2, 10, 20)
    assert (r.right, r.top) == (11, 22)
    assert r.shifted(3, -1) == Rect(4, 1, 10, 20)
    assert r.as_tuple() == (1, 2, 10, 20)
    assert r.contains(Rect(1, 2, 10, 20)) and r.contains(Rect(2, 3, 1, 1))
    assert not r.contains(Rect(0.5, 2, 1, 1)) and not r.contains(Rect(5, 5, 10, 1))
    assert r.overlaps(Rect(10, 21, 5, 5))
    assert not r.overlaps(Rect(11, 2, 5, 5))   # sharing an edge is not overlapping
    assert not r.overlaps(Rect(1, 22, 5, 5))
    assert not r.overlaps(Rect(20, 30, 5, 5))


# --- fitting every preset ------------------------------------------------

ALL_LAYOUTS = list(itertools.product(PAPERS, ("portrait", "landscape"), CARD_PRESETS, ("long", "short")))


@pytest.mark.parametrize("paper, orient, card, flip", ALL_LAYOUTS)
def test_every_preset_layout(paper, orient, card, flip):
    pw, ph = parse_paper(paper, orient)
    cw, ch = CARD_PRESETS[card]
    lay = plan_sheet((pw, ph), (cw, ch), MARGIN, flip=flip)
    assert lay.orientation == orient
    safe = lay.safe_area()
    fronts = [lay.front_rect(s) for s in range(lay.per_sheet)]
    backs = [lay.back_rect(s) for s in range(lay.per_sheet)]
    for r in fronts + backs:
        assert safe.contains(r), r
        assert (r.w, r.h) == (approx(cw), approx(ch))
    for a, b in itertools.combinations(fronts, 2):
        assert not a.overlaps(b)
    for a, b in itertools.combinations(backs, 2):
        assert not a.overlaps(b)
    # Symmetric margins around the whole grid.
    left = min(r.x for r in fronts)
    right = pw - max(r.right for r in fronts)
    bottom = min(r.y for r in fronts)
    top = ph - max(r.top for r in fronts)
    assert left == approx(right) and bottom == approx(top)
    assert lay.grid_origin == (approx(left), approx(bottom))
    # Maximal: one more column or row would not fit in the safe area.
    assert (lay.cols + 1) * cw > pw - 2 * MARGIN
    assert (lay.rows + 1) * ch > ph - 2 * MARGIN
    # The back side occupies exactly the same set of positions as the front.
    for b in backs:
        assert any(b.as_tuple() == approx(f.as_tuple()) for f in fronts), b


@pytest.mark.parametrize("paper, expected", [("a4", 10), ("letter", 8)])
def test_defaults_give_at_least_eight_cards(paper, expected):
    lay = plan_sheet(parse_paper(paper), parse_card(DEFAULT_CARD), DEFAULT_MARGIN_MM * MM,
                     DEFAULT_GUTTER_MM * MM)
    assert lay.per_sheet == expected >= 8
    assert (lay.rows, lay.cols) == {"a4": (5, 2), "letter": (4, 2)}[paper]


def test_reading_order_row_zero_is_top():
    lay = business_a4()                                   # 5 rows x 2 cols
    r0, r1, r2 = lay.front_rect(0), lay.front_rect(1), lay.front_rect(2)
    assert r0.top == approx(max(lay.front_rect(s).top for s in range(10)))
    assert r0.x == approx(lay.grid_origin[0])
    assert r1.x == approx(r0.right) and r1.y == approx(r0.y)  # slot 1 right of slot 0
    assert r2.x == approx(r0.x) and r2.top == approx(r0.y)    # slot 2 starts the next row down
    assert lay.front_rect(9).y == approx(lay.grid_origin[1])  # last slot is bottom-right
    assert lay.front_rect(9).right == approx(lay.paper_w - lay.grid_origin[0])


def test_front_rect_exact_position():
    lay = business_a4()
    x0 = (210 - 170) / 2 * MM
    y0 = (297 - 275) / 2 * MM
    assert lay.grid_origin == (approx(x0), approx(y0))
    assert lay.front_rect(0).as_tuple() == approx((x0, y0 + 4 * 55 * MM, 85 * MM, 55 * MM))


@pytest.mark.parametrize("slot", [-1, 10])
def test_slot_out_of_range(slot):
    with pytest.raises(IndexError):
        business_a4().front_rect(slot)


def test_gutter_spaces_cards():
    lay = business_a4(gutter=3 * MM)
    a, b = lay.front_rect(0), lay.front_rect(1)
    assert b.x - a.right == approx(3 * MM)
    assert a.y - lay.front_rect(2).top == approx(3 * MM)


def test_gutter_reduces_count():
    # 5 rows need 5*55 + 4*10 = 315 mm > 287 mm usable, so only 4 rows fit.
    assert (business_a4(gutter=10 * MM).rows, business_a4(gutter=10 * MM).cols) == (4, 2)


def test_gutter_exact_fit_counts():
    # 5 rows of 55 mm + 4 gutters of 3 mm = 287 mm: exactly the A4 usable height.
    lay = plan_sheet((A4_W, A4_H), (85 * MM, 55 * MM), 5 * MM, gutter=3 * MM)
    assert lay.rows == 5


# --- duplex mirroring ----------------------------------------------------

# (orientation, flip) -> which axis the back is mirrored in, spelled out
# independently of the implementation.
MIRROR_AXIS = {
    ("portrait", "long"): "x", ("portrait", "short"): "y",
    ("landscape", "long"): "y", ("landscape", "short"): "x",
}


@pytest.mark.parametrize("orient, flip", list(MIRROR_AXIS))
def test_back_mirrors_for_flip(orient, flip):
    # business on A4: portrait 5x2, landscape 3x3 -> both axes have >1 card.
    lay = plan_sheet(parse_paper("a4", orient), CARD_PRESETS["business"], MARGIN, flip=flip)
    W, H = lay.paper_w, lay.paper_h
    axis = MIRROR_AXIS[(orient, flip)]
    for s in range(lay.per_sheet):
        f, b = lay.front_rect(s), lay.back_rect(s)
        if axis == "x":
            assert (b.x, b.y) == (approx(W - f.x - f.w), approx(f.y))
        else:
            assert (b.x, b.y) == (approx(f.x), approx(H - f.y - f.h))
    # Slot 0 (top-left) lands in the last column or the bottom row on the back.
    last_col = lay.cols - 1
    last_row_first = (lay.rows - 1) * lay.cols
    expected = lay.front_rect(last_col if axis == "x" else last_row_first)
    assert lay.back_rect(0).as_tuple() == approx(expected.as_tuple())
    assert lay.back_rect(0) != lay.front_rect(0)


@pytest.mark.parametrize("orient, flip", list(MIRROR_AXIS))
def test_mirror_twice_is_identity(orient, flip):
    lay = plan_sheet(parse_paper("letter", orient), CARD_PRESETS["a8"], MARGIN, flip=flip)
    r = Rect(10, 20, 30, 40)                 # deliberately off-centre
    once = lay.mirror(r)
    assert once != r
    assert lay.mirror(once).as_tuple() == approx(r.as_tuple())


def test_mirror_portrait_long_exact():
    lay = business_a4()
    assert lay.mirror(Rect(10, 20, 30, 40)).as_tuple() == approx((A4_W - 40, 20, 30, 40))
    short = business_a4(flip="short")
    assert short.mirror(Rect(10, 20, 30, 40)).as_tuple() == approx((10, A4_H - 60, 30, 40))


def test_flip_validation():
    assert business_a4(flip=" LONG ").flip == "long"
    with pytest.raises(GeometryError, match=r"unknown flip 'diagonal'.*long.*short"):
        business_a4(flip="diagonal")
    with pytest.raises(GeometryError, match="unknown flip"):
        SheetLayout(A4_W, A4_H, 85 * MM, 55 * MM, 5, 2, MARGIN, 0.0, "sideways")


# --- back offset ---------------------------------------------------------

@pytest.mark.parametrize("flip", ["long", "short"])
def test_back_offset_applied_after_mirroring(flip):
    dx, dy = 1.5 * MM, -0.5 * MM
    plain = business_a4(flip=flip)
    moved = business_a4(flip=flip, back_offset=(dx, dy))
    for s in range(moved.per_sheet):
        assert moved.back_rect(s).as_tuple() == approx(plain.back_rect(s).shifted(dx, dy).as_tuple())
        assert moved.front_rect(s) == plain.front_rect(s)     # the front never moves
    # Positive dx moves right on the back page, whichever way it was mirrored.
    assert moved.back_rect(0).x - plain.back_rect(0).x == approx(dx)
    assert moved.back_rect(0).y - plain.back_rect(0).y == approx(dy)


def test_back_offset_limits():
    # business on A4 portrait leaves 20 mm left/right and 11 mm top/bottom.
    business_a4(back_offset=(20 * MM, -11 * MM))               # exactly to the edge: fine
    with pytest.raises(GeometryError, match=r"back offset 21,0 mm .*off the page.*±20 mm.*±11 mm"):
        business_a4(back_offset=(21 * MM, 0))
    with pytest.raises(GeometryError, match="off the page"):
        business_a4(back_offset=(0, -11.5 * MM))


# --- grid override and errors -------------------------------------------

def test_grid_override_is_centred():
    lay = business_a4(grid=(2, 1))
    assert (lay.rows, lay.cols, lay.per_sheet) == (2, 1, 2)
    r0, r1 = lay.front_rect(0), lay.front_rect(1)
    assert r0.x == approx(A4_W - r0.right)
    assert r1.y == approx(A4_H - r0.top)


@pytest.mark.parametrize("grid", [(6, 2), (5, 3), (0, 1)])
def test_grid_too_big(grid):
    with pytest.raises(GeometryError, match=rf"grid {grid[0]}x{grid[1]} does not fit: at most 5x2"):
        business_a4(grid=grid)


def test_card_too_big_suggests_rotation():
    with pytest.raises(GeometryError) as exc:
        plan_sheet((A4_W, A4_H), (250 * MM, 100 * MM), MARGIN)
    msg = str(exc.value)
    assert "card 250 x 100 mm" in msg and "210 x 297 mm" in msg and "200 x 287 mm" in msg
    assert "try --card 100x250" in msg


def test_card_too_big_both_ways():
    with pytest.raises(GeometryError) as exc:
        plan_sheet((A4_W, A4_H), (300 * MM, 300 * MM), MARGIN)
    assert "card 300 x 300 mm" in str(exc.value)
    assert "try --card" not in str(exc.value)


def test_bad_margin_and_gutter():
    with pytest.raises(GeometryError, match="margin 105 mm leaves no room"):
        plan_sheet((A4_W, A4_H), (10 * MM, 10 * MM), 105 * MM)
    with pytest.raises(GeometryError, match="must not be negative"):
        plan_sheet((A4_W, A4_H), (10 * MM, 10 * MM), -1.0)
    with pytest.raises(GeometryError, match="must not be negative"):
        plan_sheet((A4_W, A4_H), (10 * MM, 10 * MM), MARGIN, gutter=-1.0)


def test_direct_layout_that_does_not_fit_is_rejected():
    with pytest.raises(GeometryError, match="6x2 grid does not fit"):
        SheetLayout(A4_W, A4_H, 85 * MM, 55 * MM, 6, 2, MARGIN, 0.0, "long")


def test_safe_area_and_orientation():
    lay = business_a4()
    assert lay.safe_area().as_tuple() == approx((MARGIN, MARGIN, A4_W - 2 * MARGIN, A4_H - 2 * MARGIN))
    assert lay.orientation == "portrait"
    land = plan_sheet((A4_H, A4_W), CARD_PRESETS["business"], MARGIN)
    assert land.orientation == "landscape"


# --- cut lines -----------------------------------------------------------

def test_cut_positions_shared_edges_without_gutter():
    lay = business_a4()
    x0, y0 = lay.grid_origin
    xs, ys = lay.cut_positions()
    assert xs == approx([x0 + i * 85 * MM for i in range(3)])
    assert ys == approx([y0 + i * 55 * MM for i in range(6)])


def test_cut_positions_with_gutter_are_doubled():
    lay = business_a4(gutter=2 * MM)             # still 5 rows x 2 cols
    xs, ys = lay.cut_positions()
    assert (lay.rows, lay.cols) == (5, 2)
    assert len(xs) == 4 and len(ys) == 10
    assert xs[2] - xs[1] == approx(2 * MM)
    assert xs == sorted(xs) and ys == sorted(ys)


@pytest.mark.parametrize("flip", ["long", "short"])
def test_back_cut_positions_mirrored_and_offset(flip):
    dx, dy = 1 * MM, 2 * MM
    lay = business_a4(gutter=2 * MM, flip=flip, back_offset=(dx, dy))
    xs, ys = lay.cut_positions()
    bxs, bys = lay.back_cut_positions()
    if flip == "long":      # portrait long edge: columns mirrored
        exp_x, exp_y = sorted(A4_W - x + dx for x in xs), [y + dy for y in ys]
    else:
        exp_x, exp_y = [x + dx for x in xs], sorted(A4_H - y + dy for y in ys)
    assert bxs == approx(exp_x) and bys == approx(exp_y)
    # With zero offset the back cuts coincide with the front cuts (centred grid).
    plain = business_a4(gutter=2 * MM, flip=flip)
    assert plain.back_cut_positions() == (approx(xs), approx(ys))


@pytest.mark.parametrize("paper, card, cols", [("50.4x100", "20.2x20", 2), ("50x100", "20x20", 2)])
def test_exact_fit_survives_float_rounding(paper, card, cols):
    # Cards that exactly fill the usable width must not lose a column to
    # float error in mm -> point conversion.
    lay = plan_sheet(parse_paper(paper), parse_card(card), 5 * MM)
    assert lay.cols == cols
