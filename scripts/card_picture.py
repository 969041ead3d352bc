"""One card side of a flashcards PDF as a PNG, for the docs: `card_picture.py PDF NAME OUT.png`.

NAME is the side's hidden annotation (`card-23-back`): its rectangle is the card as TeX placed it,
so the picture is cut from the real build, never drawn by hand. Run by `make pictures`.
"""
from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from pypdf import PdfReader


def find_side(pdf: Path, name: str) -> tuple[int, list[float], float]:
    """(1-based page, the side's rectangle in bp, the page height in bp)."""
    reader = PdfReader(pdf)
    for number, page in enumerate(reader.pages, 1):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/NM") == name:
                return number, [float(v) for v in annot["/Rect"]], float(page.mediabox.height)
    raise SystemExit(f"{pdf}: no card side named {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("name")
    parser.add_argument("out", type=Path)
    parser.add_argument("--dpi", type=int, default=150)
    args = parser.parse_args()
    page, (x0, y0, x1, y1), height = find_side(args.pdf, args.name)
    scale = args.dpi / 72
    with tempfile.TemporaryDirectory() as tmp:
        stem = Path(tmp) / "side"
        subprocess.run(["pdftoppm", "-png", "-singlefile", "-r", str(args.dpi), "-f", str(page), "-l", str(page),
                        "-x", str(round(x0 * scale)), "-y", str(round((height - y1) * scale)),
                        "-W", str(round((x1 - x0) * scale)), "-H", str(round((y1 - y0) * scale)),
                        str(args.pdf), str(stem)], check=True)
        args.out.write_bytes(stem.with_suffix(".png").read_bytes())


if __name__ == "__main__":
    main()
