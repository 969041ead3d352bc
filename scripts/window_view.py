"""What a duplex sheet looks like held against a window: its front with the back shining through.

    python scripts/window_view.py FRONT.pgm BACK.pgm OUT.png [--flip long|short] [--shift X,Y]
                                  [--dpi N] [--crop X,Y,W,H]

FRONT.pgm and BACK.pgm are two pages rendered by `pdftoppm -gray` at the same resolution. The
back is turned over the flip edge (mirrored) and shifted by what a misregistering printer would
do, X,Y in mm in the back page's own coordinates (X right, Y up as the back page is seen), then
shown faintly behind the front; --crop keeps a part (mm from the top-left corner). Used by `make pictures` for the README; pure Python, no imaging
library.
"""
from __future__ import annotations

import argparse
import struct
import zlib
from pathlib import Path


def read_pgm(path: Path) -> tuple[int, int, bytes]:
    data = Path(path).read_bytes()
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval; separated by whitespace
        while data[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    if fields[0] != b"P5" or int(fields[3]) != 255:
        raise SystemExit(f"{path}: not an 8-bit binary PGM (use pdftoppm -gray)")
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1 : pos + 1 + w * h]


def write_png(path: Path, w: int, h: int, pixels: bytes) -> None:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + pixels[y * w : (y + 1) * w] for y in range(h))
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                           + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def window_view(front: tuple[int, int, bytes], back: tuple[int, int, bytes], flip_columns: bool,
                shift_px: tuple[int, int]) -> bytes:
    w, h, f = front
    bw, bh, b = back
    if (bw, bh) != (w, h):
        raise SystemExit("the two pages differ in size")
    sx, sy = shift_px  # on the back page: +x right, +y up
    out = bytearray(f)
    for y in range(h):
        by = y + sy  # pixel rows run downwards
        for x in range(w):
            # Seen through the paper, front pixel (x, y) has behind it the back pixel that the flip
            # put there, before the printer's shift moved the back's image.
            if flip_columns:
                bx, byy = (w - 1 - x) - sx, by
            else:
                bx, byy = x - sx, (h - 1 - y) + sy
            if 0 <= bx < w and 0 <= byy < h:
                seen = 255 - (255 - b[byy * w + bx]) * 45 // 100  # the back, faint through paper
                out[y * w + x] = f[y * w + x] * seen // 255
    return bytes(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("front", type=Path)
    ap.add_argument("back", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--flip", choices=("long", "short"), default="long")
    ap.add_argument("--shift", default="0,0", help="the printer's shift of the back, X,Y mm (back page coordinates)")
    ap.add_argument("--dpi", type=float, default=100, help="the resolution the pages were rendered at")
    ap.add_argument("--crop", help="X,Y,W,H in mm from the page's top-left corner: keep only this part")
    args = ap.parse_args()
    front, back = read_pgm(args.front), read_pgm(args.back)
    w, h = front[0], front[1]
    dx, dy = (float(v) for v in args.shift.split(","))
    px = args.dpi / 25.4
    flip_columns = (args.flip == "long") == (h >= w)
    pixels = window_view(front, back, flip_columns, (round(dx * px), round(dy * px)))
    if args.crop:
        x0, y0, cw, ch = (round(float(v) * px) for v in args.crop.split(","))
        cw, ch = min(cw, w - x0), min(ch, h - y0)
        pixels = b"".join(pixels[(y0 + y) * w + x0 : (y0 + y) * w + x0 + cw] for y in range(ch))
        w, h = cw, ch
    write_png(args.out, w, h, pixels)


if __name__ == "__main__":
    main()
