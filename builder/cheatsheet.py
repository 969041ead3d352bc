"""The cheat sheet: every selected card on as few pages as asked, at the largest size that fits."""
from __future__ import annotations

from builder import __version__
from builder.deck import Card, Deck
from builder.geometry import MM, parse_paper
from builder.latex import latex, render_template
from builder.options import Options
from builder.render import RenderContext, render_blocks, render_question
from builder.texrun import run_pdflatex


def build_cheatsheet(deck: Deck, cards: list[Card], opts: Options):
    ctx = RenderContext(deck_dir=deck.path.parent, display=deck.display_path)
    groups: list[dict] = []
    for card in cards:
        question = render_question(ctx, card)
        answer = render_blocks(ctx, card.back_tokens)
        if not groups or groups[-1]["section"] != card.section:
            groups.append({"section": card.section, "items": []})
        groups[-1]["items"].append(dict(question=latex(question), answer=latex(answer),
                                        source=f"card {card.number} back line {card.line}"))
    paper_w, paper_h = parse_paper(opts.paper, "landscape")
    pages = opts.pages or 1
    size = 5.0
    tex = render_template("cheatsheet.tex.j2", language=deck.language, title=deck.title, version=__version__,
                          paper_w=paper_w, paper_h=paper_h, margin=opts.margin_pt, pages=pages, size=size,
                          columns=opts.columns or 5, groups=groups, date=deck.meta.get("date", ""))
    result = run_pdflatex(tex, jobname="cheatsheet", files=ctx.images)
    return result.pdf, result.log, f"{len(cards)} cards at {size:g} pt", ctx.warnings
