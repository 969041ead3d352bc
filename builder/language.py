"""Which language a deck is written in ("pl" or "en"), told from its text.

Used where a deck does not say (`lang:` missing from its front matter) and by `fiszki import
--lang` (default: detected). The evidence is the deck's words, never its math or code: letters
with Polish diacritics and common Polish and English words that the other language does not
share. A deck of formulas with a handful of words still comes out right, because a single
"Wzór" or "dla" is evidence, while `\\sum_i w_i x_i` is none. No evidence at all means English.

Linear in the text's length: no pattern here can backtrack (the text may be a 20 MB deck).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

LANGUAGE_NAMES = {"pl": "Polish", "en": "English"}

# Words that are common in one language and not words of the other. Left out on purpose:
# "a", "to", "do", "no", "on" (words in both), and English "I" (capital; Polish "i" is lower case).
POLISH_WORDS = frozenset("""
    i w z o na nie się jest są że czy co jak jaki jaka jakie jakiej jakich czym czego dla od po
    przez lub oraz ten ta te tym tego tej jako gdy gdzie kiedy który która które którego których
    może można tylko także też przy pod nad bez ale już tak być ich jego jej im czyli więc np tzw
    wraz między jeśli jeżeli dlaczego ile wymień opisz podaj wyjaśnij omów porównaj zdefiniuj
    sieć sieci funkcja funkcji wartość wartości wzór metoda przykład czyli pytanie odpowiedź
""".split())
ENGLISH_WORDS = frozenset("""
    the of and is are was were be been what which how why who whom whose with for from that this
    these those by an it its can cannot not or if when where has have had does did into than then
    each between used using use there their they them we you your our would should could will
    about after before because such other some any all most more only also both but
    define describe explain name list compare give example answer question value function
""".split())
POLISH_LETTERS = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")

_WORD = re.compile(r"[^\W\d_]+")
_COMMAND = re.compile(r"\\[A-Za-z]+")
_ATTRIBUTES = re.compile(r"\{[#.][^{}\n]*\}")
_LINK_TARGET = re.compile(r"\]\([^()\n]*\)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)


@dataclass(frozen=True)
class LanguageGuess:
    lang: str  # "pl" or "en"
    polish: int  # pieces of evidence for Polish
    english: int  # and for English

    def describe(self) -> str:
        """e.g. "Polish (31 Polish words or letters, 2 English words)"."""
        if not self.polish and not self.english:
            return f"{LANGUAGE_NAMES[self.lang]} (no words to tell by)"
        return (f"{LANGUAGE_NAMES[self.lang]} ({self.polish} Polish words or letters, "
                f"{self.english} English words)")


def detect_language(text: str) -> str:
    """"pl" or "en": the language the deck's words are written in."""
    return guess_language(text).lang


def guess_language(text: str) -> LanguageGuess:
    """The language with the evidence for it, for messages that say why."""
    polish = english = 0
    for word in _WORD.findall(words_only(text)):
        lower = word.lower()
        if lower in POLISH_WORDS or any(ch in POLISH_LETTERS for ch in word):
            polish += 1
        elif lower in ENGLISH_WORDS:
            english += 1
    return LanguageGuess("pl" if polish > english else "en", polish, english)


def words_only(text: str) -> str:
    """The text with math, code, commands, attribute blocks and link targets taken out."""
    text = _without_code_blocks(text)
    text = _without_delimited(text, "`", "`")
    for opener, closer in (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)")):
        text = _without_delimited(text, opener, closer)
    text = "\n".join(_without_delimited(line, "$", "$") for line in text.split("\n"))
    text = _ATTRIBUTES.sub(" ", text)
    text = _LINK_TARGET.sub("] ", text)
    return _COMMAND.sub(" ", text)


def _without_delimited(text: str, opener: str, closer: str) -> str:
    """`text` with every opener…closer span replaced by a space; an unclosed opener stays.

    One pass with str.find: each character is looked at a bounded number of times."""
    out: list[str] = []
    pos = 0
    while True:
        start = text.find(opener, pos)
        if start < 0:
            break
        end = text.find(closer, start + len(opener))
        if end < 0:
            break
        out.append(text[pos:start])
        out.append(" ")
        pos = end + len(closer)
    out.append(text[pos:])
    return "".join(out)


def _without_code_blocks(text: str) -> str:
    """Fenced code blocks (``` or ~~~) left out; an unclosed fence runs to the end, as in Markdown."""
    out: list[str] = []
    pos = 0
    for m in _FENCE.finditer(text):
        if m.start() < pos:
            continue  # a fence line inside a block already left out
        fence = m.group(1)
        closer = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.MULTILINE)
        out.append(text[pos:m.start()])
        end = closer.search(text, m.end())
        if end is None:
            return "".join(out)
        pos = end.end()
    out.append(text[pos:])
    return "".join(out)
