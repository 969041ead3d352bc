"""Every font on every page, in figures too, must be embedded: a printer would substitute another."""
from __future__ import annotations

from pypdf.generic import IndirectObject

from builder.checking.pdf import PdfFile, resolved
from builder.checking.report import CheckReport, pages_text


def _font_embedded(font: dict) -> bool:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True  # its glyphs are drawn inside the PDF itself
    if subtype == "/Type0":
        descendants = resolved(font.get("/DescendantFonts"))
        font = resolved(descendants[0]) if isinstance(descendants, list) and descendants else {}
        if not isinstance(font, dict):
            return False
    desc = resolved(font.get("/FontDescriptor"))
    return isinstance(desc, dict) and any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def check_fonts(doc: PdfFile, report: CheckReport) -> None:
    """Every font on every page, in figures (form XObjects) too, must be embedded."""
    used: dict[object, set[int]] = {}  # font object -> pages
    fonts: dict[object, dict] = {}
    seen_resources: dict[object, list[object]] = {}  # resources -> its fonts, each read once

    def key_of(ref, obj) -> object:
        return (ref.idnum, ref.generation) if isinstance(ref, IndirectObject) else id(obj)

    def fonts_of(resources: dict, key: object, trail: frozenset) -> list[object]:
        if key in seen_resources:
            return seen_resources[key]
        seen_resources[key] = found = []
        for ref in (resolved(resources.get("/Font")) or {}).values():
            font = resolved(ref)
            if isinstance(font, dict):
                fkey = key_of(ref, font)
                fonts[fkey] = font
                found.append(fkey)
        for ref in (resolved(resources.get("/XObject")) or {}).values():
            xobject = resolved(ref)
            xkey = key_of(ref, xobject)
            if isinstance(xobject, dict) and xobject.get("/Subtype") == "/Form" and xkey not in trail:
                ref = xobject.get("/Resources")
                inner = resolved(ref)
                if isinstance(inner, dict):
                    found.extend(fonts_of(inner, key_of(ref, inner), trail | {xkey}))
        return found

    for page in doc.pages:
        ref = page.obj.get("/Resources")
        resources = resolved(ref)
        if isinstance(resources, dict):
            for fkey in fonts_of(resources, key_of(ref, resources), frozenset()):
                used.setdefault(fkey, set()).add(page.number)
    missing: dict[str, set[int]] = {}
    for fkey, pages in used.items():
        if not _font_embedded(fonts[fkey]):
            name = str(fonts[fkey].get("/BaseFont", "?")).lstrip("/")
            missing.setdefault(name, set()).update(pages)
    for name, pages in missing.items():
        report.add(f"font {name} is not embedded ({pages_text(sorted(pages))}); printers would substitute "
                   "another font", kind="font", page=min(pages))
