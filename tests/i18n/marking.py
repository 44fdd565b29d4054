"""Find user-facing text that did not go through the Spanish catalogue.

While `spanish_marked()` is active, every string the Spanish catalogue translates comes back wrapped
in ⟦ ⟧. A string that was never marked for translation, or that the catalogue lacks (gettext falls
back to the English text), comes back bare. `bare_text()` then lists what is neither wrapped nor data
the test supplied (names, numbers, dates, punctuation).
"""

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from html.parser import HTMLParser

from django.utils.translation import trans_real

OPEN, CLOSE = "⟦", "⟧"
MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
# What may stay bare: digits, spaces, punctuation and symbols (dates, times, counts, separators).
NOT_WORDS = re.compile(r"^[\W\d_]*$")
ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "aria-description")
BUTTON_INPUTS = {"submit", "button", "reset"}
SKIPPED = {"script", "style", "svg"}
# The product's name is not translated.
ALWAYS_DATA = ("artworx",)


@contextmanager
def spanish_marked() -> Iterator[None]:
    """Wrap every translation the Spanish catalogue holds in ⟦ ⟧ while the block runs."""
    spanish = trans_real.translation("es")
    missing = object()

    def gettext(message):
        found = spanish._catalog.get(message, missing)
        return message if found is missing else f"{OPEN}{found}{CLOSE}"

    def ngettext(singular, plural, n):
        try:
            return f"{OPEN}{spanish._catalog.plural(singular, n)}{CLOSE}"
        except KeyError:
            return singular if n == 1 else plural

    spanish.gettext, spanish.ngettext = gettext, ngettext
    try:
        yield
    finally:
        del spanish.gettext, spanish.ngettext


def unmarked(text: str, data: Iterable[str] = ()) -> str:
    """What is left of `text` once translated parts and the given data (longest first) are taken out."""
    previous = None
    while previous != text:  # translations can nest: a translated choice inside a sentence
        previous, text = text, MARKED.sub(" ", text)
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    return " ".join(text.split())


@lru_cache(maxsize=4)
def longest_first(data: tuple[str, ...]) -> tuple[str, ...]:
    """The data to take out, longest first (a name inside a longer note goes with the note)."""
    return tuple(sorted({*filter(None, data), *ALWAYS_DATA}, key=len, reverse=True))


class _TextCollector(HTMLParser):
    """Visible text and the attributes people hear or read, outside scripts and English-tagged parts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def _hidden(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # The language switch names the other language in that language, on purpose.
        skip = tag in SKIPPED or (attrs.get("lang") not in (None, "es"))
        if not skip and not self._hidden():
            self.texts.extend(attrs[name] for name in ATTRIBUTES if attrs.get(name))
            if tag == "input" and attrs.get("type") in BUTTON_INPUTS and attrs.get("value"):
                self.texts.append(attrs["value"])
        if tag not in {"input", "br", "img", "meta", "link", "hr", "source", "wbr", "col", "area", "base"}:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.texts.append(data)


def bare_text(content: str, data: Iterable[str] = (), *, html: bool = True) -> list[str]:
    """Pieces of a page (or of plain text) that are neither translated nor data."""
    if html:
        collector = _TextCollector()
        collector.feed(content)
        pieces = collector.texts
    else:
        pieces = content.splitlines()
    # Only the data the page holds is looked for in each of its pieces: thousands of stored texts
    # against every piece of every page made a crawl in Spanish take twice as long as in English.
    whole = "\n".join(pieces)
    present = [value for value in longest_first(tuple(data)) if value in whole]
    leftovers = (unmarked(piece, present) for piece in pieces)
    return sorted({left for left in leftovers if not NOT_WORDS.match(left)})
