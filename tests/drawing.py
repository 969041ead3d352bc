"""What a page really draws: its rules read from the content stream (pypdf), for tests that prove
the ink, not fiszki's own records of it, is where it belongs (crop marks, dashed cut lines)."""
from __future__ import annotations

from pypdf.generic import ContentStream

BLACK = {(0.0,), (0.0, 0.0, 0.0), (0.0, 0.0, 0.0, 1.0)}  # gray, RGB, CMYK


def drawn_rules(page, black_only: bool = False) -> list[tuple]:
    """Every rule the page content draws, as (x, y, w, h) in page coordinates; with black_only,
    only those drawn in black (crop marks are; dashes, fold dots and backgrounds are lighter).

    pdfTeX draws a thin rule as a stroked line (`m … l S` with a line width), a thick one as a
    filled `re`; both are understood, with the cm/q/Q transformation stack and colours.
    """
    ops = ContentStream(page.get_contents(), page.pdf).operations
    ctm, width, fill, stroke = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), 1.0, (0.0,), (0.0,)
    stack = []
    lines: list[list[tuple]] = []
    boxes: list[tuple] = []
    out = []

    def point(x, y):
        a, b, c, d, e, f = ctm
        return a * x + c * y + e, b * x + d * y + f

    for operands, op in ops:
        op = op.decode() if isinstance(op, bytes) else op
        nums = [float(v) for v in operands] if op in ("cm", "w", "m", "l", "re", "g", "G", "rg", "RG", "k", "K") else []
        if op == "q":
            stack.append((ctm, width, fill, stroke))
        elif op == "Q":
            ctm, width, fill, stroke = stack.pop()
        elif op == "cm":
            a, b, c, d, e, f = nums
            A, B, C, D, E, F = ctm
            ctm = (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)
        elif op == "w":
            width = nums[0] * abs(ctm[0])
        elif op in ("g", "rg", "k"):
            fill = tuple(nums)
        elif op in ("G", "RG", "K"):
            stroke = tuple(nums)
        elif op == "m":
            lines.append([point(*nums)])
        elif op == "l":
            lines[-1].append(point(*nums))
        elif op == "re":
            (x1, y1), (x2, y2) = point(nums[0], nums[1]), point(nums[0] + nums[2], nums[1] + nums[3])
            boxes.append((min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1)))
        elif op in ("S", "s"):
            if not black_only or stroke in BLACK:
                for (x1, y1), (x2, y2) in (seg[:2] for seg in lines if len(seg) == 2):
                    if abs(x1 - x2) < 1e-6:  # vertical, butt caps
                        out.append((x1 - width / 2, min(y1, y2), width, abs(y2 - y1)))
                    elif abs(y1 - y2) < 1e-6:
                        out.append((min(x1, x2), y1 - width / 2, abs(x2 - x1), width))
            lines = []
        elif op in ("f", "F", "f*"):
            if not black_only or fill in BLACK:
                out.extend(boxes)
            boxes, lines = [], []
        elif op == "n":
            boxes, lines = [], []
    return out


def crop_marks(page, cards) -> list[tuple]:
    """The crop marks a page draws: black rules not inside a card (inside, black rules are the
    text's own: fraction bars, table lines). A mark drawn over a card still counts, so a test
    can see it there; one drawn wholly inside a card goes missing from the count."""
    return [r for r in drawn_rules(page, black_only=True) if not any(_inside(r, c) for c in cards)]


def _inside(r, area, tol=0.01) -> bool:
    return (r[0] >= area[0] - tol and r[1] >= area[1] - tol
            and r[0] + r[2] <= area[0] + area[2] + tol and r[1] + r[3] <= area[1] + area[3] + tol)


def placed_forms(page) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each form XObject (a plot, an included PDF) the page draws, with the rectangle it covers
    (x0, y0, x1, y1): its /BBox through the content stream's matrices."""
    forms = page["/Resources"].get("/XObject") or {}
    ctm, stack, out = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), [], []
    for operands, op in ContentStream(page.get_contents(), page.pdf).operations:
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q":
            ctm = stack.pop()
        elif op == b"cm":
            a, b, c, d, e, f = (float(v) for v in operands)
            A, B, C, D, E, F = ctm
            ctm = (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)
        elif op == b"Do" and forms[str(operands[0])].get_object().get("/Subtype") == "/Form":
            name = str(operands[0])
            x0, y0, x1, y1 = (float(v) for v in forms[name].get_object()["/BBox"])
            a, b, c, d, e, f = ctm
            out.append((name, (a * x0 + c * y0 + e, b * x0 + d * y0 + f, a * x1 + c * y1 + e, b * x1 + d * y1 + f)))
    return out
