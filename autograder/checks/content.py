"""What a report or an article really contains: measures of content that padding cannot cheaply fake.

The provisional estimates of hand-graded criteria (09_mini_project's report, 08_attention's article)
read the notebook's Markdown and saved outputs. Counting words, headings, keywords or images rewards
whoever pads; every measure here counts content instead, and runs in the grading process on the
parsed notebook, with bounded work (nothing of the student's is executed):

* **Sentences.** A sentence counts when it reads like French or English prose (:func:`is_prose`): at
  least :data:`MIN_SENTENCE_WORDS` words, a share of function words (le, de, et, the, of…) between
  :data:`MIN_FUNCTION_SHARE` and :data:`MAX_FUNCTION_SHARE`, no more numbers than words, no word
  repeated throughout, and the word order of the language: no article followed by an article, a
  preposition or a conjunction, no two prepositions or conjunctions in a row, no article, French
  preposition or conjunction last (:data:`NEVER_AFTER`, :data:`NEVER_LAST`). Lorem ipsum, lists of
  keywords, digits and formulas fail it; shuffled words often pass the first rules and break the
  word order, and a document where that happens to more than :data:`MAX_ILL_FORMED` of the sentences
  is word salad: nothing of it counts.
* **Repetition.** A sentence counts once in the document (a duplicated paragraph, a section copied into
  another, a sentence cycled), and a section is credited with no more words than the bytes zlib needs
  to store its sentences, primed with everything read before, allow at :data:`BYTES_PER_WORD` bytes a
  word: cycled filler and near-copies cost almost nothing to store.
* **Own text.** The notebook's other Markdown (the statement, the instructions) is read first: copied
  under a heading, it counts for nothing. Text under a judged heading nested in another judged heading
  belongs to the inner one: a heading counts only through the text written for it.
* **Context.** Numbers count only inside counted sentences or in the labelled rows of a Markdown table;
  keywords only inside counted sentences (:attr:`Content.text`); a formula only inside a counted sentence
  or as a display formula next to a paragraph that has one, and once; a list entry (a reference) only
  with :data:`MIN_ENTRY_WORDS` distinct words, and once.
* **Figures.** An image output counts only if it is a real figure (:func:`figure_count`): a PNG or JPEG
  that decodes, at least :data:`MIN_FIGURE_SIDE` pixels a side, not of one colour, with some entropy, or
  an SVG that draws something; the same figure twice counts once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import nbformat

from autograder.checks.inspection import cell_source, find_section, markdown_sections
from autograder.grading.spec import Failure
from autograder.metadata import section

#: A sentence needs at least this many words (letters) to count.
MIN_SENTENCE_WORDS = 5
#: Share of function words among a sentence's words: French and English prose sit around 40 %.
MIN_FUNCTION_SHARE = 0.2
MAX_FUNCTION_SHARE = 0.9
#: No word but a function word may fill more than this share of a sentence (three times at least).
MAX_WORD_SHARE = 0.3
#: Stored bytes a word must cost: zlib needs about 3 for French prose, under 1 for repeated or cycled text.
BYTES_PER_WORD = 1.5
#: Bytes of zlib's header and checksum, not content.
ZLIB_OVERHEAD = 8
#: A section has content when at least this many of its words count.
MIN_SECTION_WORDS = 10
#: A list entry (a reference) counts with at least this many distinct words.
MIN_ENTRY_WORDS = 3
#: A figure has at least this many pixels a side and this much entropy (bits, grey levels).
MIN_FIGURE_SIDE = 64
MIN_FIGURE_ENTROPY = 0.2
#: Larger images are not decoded (a figure is far smaller; a decompression bomb is not), nor any image once a
#: notebook's images have made this many pixels: the grading process does bounded work on what a student wrote.
MAX_FIGURE_PIXELS = 4096 * 4096
MAX_NOTEBOOK_PIXELS = 16 * MAX_FIGURE_PIXELS
#: Drawing elements an SVG figure has at least.
MIN_SVG_ELEMENTS = 5

FUNCTION_WORDS = frozenset("""
le la les l un une des du de d au aux à a et ou mais donc car ni que qu qui quoi dont où ce c cet cette ces ça se s
son sa ses leur leurs mon ma mes notre nos votre vos il ils elle elles on nous vous je j tu me m te t lui eux y en
ne n pas plus moins très trop aussi bien est sont être été était étaient sera seront ont avoir avait sur sous dans
par pour avec sans entre vers chez contre comme si lorsque lorsqu quand puis alors ainsi tout tous toute toutes
chaque autre autres même mêmes peu cela ceci celui celle ceux celles jusqu puisqu
the an of to in on at by for with from into about over under between and or but nor not no is are was were be been
being it its this that these those as which who whom whose what when where while than then there their they them we
our us you your he she his her him has have had do does did will would can could should may might must if so such
also each other only very more most
""".split())
ARTICLES = frozenset("le la les des du au aux the an".split())
PREPOSITIONS = frozenset("à par pour avec dans sur sans sous entre vers chez of to in with for by from on at "
                         "into".split())
CONJUNCTIONS = frozenset("et ou mais donc car and or but nor".split())
#: Pairs of words that never follow each other in French or English: an article then an article, a preposition, a
#: conjunction or a relative pronoun; a preposition then another (« de » aside: « avec de la »); two conjunctions.
NEVER_AFTER = {
    **dict.fromkeys(ARTICLES, ARTICLES | PREPOSITIONS | CONJUNCTIONS | frozenset("un une de que qui is are".split())),
    **dict.fromkeys(PREPOSITIONS | {"de"}, PREPOSITIONS),
    **dict.fromkeys(CONJUNCTIONS, CONJUNCTIONS),
}
#: Words a sentence never ends with (English prepositions can: "the data it was trained on").
NEVER_LAST = ARTICLES | CONJUNCTIONS | frozenset("de à par pour avec dans sur sans sous vers chez".split())
#: A document more than this share of whose sentences have the words of prose but break its word order (and at
#: least :data:`MIN_ILL_FORMED` of them) is word salad, shuffled words: nothing of it counts. Written French breaks
#: these rules in under 1 % of its sentences (the kit's notebooks: 10 of 1 663, code in the text), shuffled text in
#: about half.
MAX_ILL_FORMED = 0.25
MIN_ILL_FORMED = 4

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
ELISION = re.compile(r"^([^\W\d_]+)['’]")
NUMBER = re.compile(r"(?<![\w.,])[-−+]?\d+(?:[.,]\d+)*(?:\s*%)?")
DISPLAY_FORMULA = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE_FORMULA = re.compile(r"(?<![$\\])\$([^$\n]+?)\$(?!\$)")
#: An inline formula stands in a sentence as this character (neither a word nor a number), its index, and again.
MARK = "\ue000"
MARKED = re.compile(rf"{MARK}(\d+){MARK}")
TOKEN = re.compile(rf"(?P<formula>{MARKED.pattern})|(?P<number>{NUMBER.pattern})|(?P<word>{WORD.pattern})")
LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)]|\[\d+\])\s+")
TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}")
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
KEY = re.compile(rf"{NUMBER.pattern}|{WORD.pattern}")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")


@dataclass(frozen=True)
class Content:
    """What counts in one section of a report (:func:`read_sections`).

    Attributes:
        title: the section's expected title.
        position: its index among the notebook's headings (for the order of sections).
        sentences: its counted sentences (:func:`is_prose`), each new to the document, markup removed.
        words: the words it is credited with: those of its sentences (a number or an inline formula is one word),
            no more than zlib's storage of them allows.
        numbers: the numbers of its sentences and of its tables' labelled rows, spaces removed (``98,9%``).
        formulas: its distinct formulas inside or next to a counted sentence (LaTeX, without the ``$``).
        entries: its distinct list items with at least :data:`MIN_ENTRY_WORDS` distinct words (references).
    """

    title: str
    position: int
    sentences: tuple[str, ...]
    words: int
    numbers: frozenset[str]
    formulas: tuple[str, ...]
    entries: tuple[str, ...]

    @property
    def text(self) -> str:
        """The counted sentences, one a line: where keywords are looked for."""
        return "\n".join(self.sentences)

    @property
    def has_content(self) -> bool:
        """Whether the section has text of its own (at least :data:`MIN_SECTION_WORDS` counted words)."""
        return self.words >= MIN_SECTION_WORDS


def _tokens(text: str) -> list[str]:
    """Words (lower case), numbers (``#``) and formulas (``$``) in their order."""
    return [token.group("word").lower() if token.group("word") else "#" if token.group("number") else "$"
            for token in TOKEN.finditer(text)]


def _words(text: str) -> list[str]:
    return [token for token in _tokens(text) if token not in ("#", "$")]


def _is_function(word: str) -> bool:
    elided = ELISION.match(word)
    return word in FUNCTION_WORDS or (elided is not None and elided.group(1) in FUNCTION_WORDS)


def _shape(sentence: str) -> tuple[bool, bool]:
    """Whether ``sentence`` (markup removed) has the words of prose, and whether it also has its word order."""
    tokens = _tokens(sentence)
    words = [token for token in tokens if token not in ("#", "$")]
    if len(words) < MIN_SENTENCE_WORDS or len(words) < tokens.count("#"):
        return False, False
    function = sum(map(_is_function, words))
    if not MIN_FUNCTION_SHARE <= function / len(words) <= MAX_FUNCTION_SHARE:
        return False, False
    repeated = Counter(w for w in words if not _is_function(w)).most_common(1)
    if repeated and repeated[0][1] > max(2, MAX_WORD_SHARE * len(words)):
        return False, False
    ordered = tokens[-1] not in NEVER_LAST and not any(b in NEVER_AFTER.get(a, ()) for a, b in pairwise(tokens))
    return True, ordered


def is_prose(sentence: str) -> bool:
    """Whether ``sentence`` (markup removed) reads like a French or English sentence (see the module's rules)."""
    return all(_shape(sentence))


def _plain(text: str) -> str:
    """Markdown inline markup removed: images, links (their text kept), HTML tags, emphasis, code ticks."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>\n]*>", " ", text)
    text = re.sub(r"(?<!\w)_+|_+(?!\w)|[*`]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _blocks(markdown: str) -> list[tuple[str, str]]:
    """A section's Markdown as ``(kind, text)`` blocks, in order: ``prose`` (a paragraph), ``item`` (a list
    item), ``row`` (a table row) and ``formula`` (a display formula ``$$…$$``, without its dollars)."""
    blocks: list[tuple[str, list[str]]] = []
    for index, part in enumerate(DISPLAY_FORMULA.split(markdown)):
        if index % 2:
            blocks.append(("formula", [part.strip()]))
            continue
        blocks.append(("blank", []))
        for line in part.splitlines():
            stripped = line.strip().lstrip(">").strip()
            if not stripped:
                blocks.append(("blank", []))
            elif stripped.startswith("|"):
                blocks.append(("row", [stripped]))
            elif LIST_ITEM.match(stripped):
                blocks.append(("item", [LIST_ITEM.sub("", stripped)]))
            elif blocks[-1][0] in ("prose", "item"):
                blocks[-1][1].append(stripped)
            else:
                blocks.append(("prose", [stripped]))
    return [(kind, " ".join(lines)) for kind, lines in blocks if kind != "blank"]


def _table_numbers(rows: list[str]) -> set[str]:
    """Numbers of a Markdown table's data rows whose first cell is a label (words), the header and rule aside."""
    if len(rows) < 3 or not TABLE_RULE.match(rows[1]):
        return set()
    found: set[str] = set()
    for row in rows[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if WORD.search(cells[0]) and not NUMBER.search(cells[0]):
            found |= {_number(n) for cell in cells[1:] for n in NUMBER.findall(_plain(cell))}
    return found


def _number(text: str) -> str:
    return re.sub(r"\s", "", text)


def _stored_bytes(text: str, before: str) -> int:
    """Bytes zlib needs to store ``text`` once it has seen ``before`` (its last 32 KiB: zlib's window)."""
    primed = before.encode()[-32768:]
    compressor = zlib.compressobj(9, zdict=primed) if primed else zlib.compressobj(9)
    return max(0, len(compressor.compress(text.encode()) + compressor.flush()) - ZLIB_OVERHEAD)


def _key(sentence: str) -> str:
    """What two copies of a sentence share: its words and numbers, in lower case."""
    return " ".join(match.group(0).lower() for match in KEY.finditer(sentence))


def _hide_formulas(text: str) -> tuple[str, list[str]]:
    """``text`` with each inline formula ``$…$`` replaced by :data:`MARK`, its index, :data:`MARK`; the formulas."""
    formulas: list[str] = []

    def hide(match: re.Match[str]) -> str:
        formulas.append(match.group(1).strip())
        return f"{MARK}{len(formulas) - 1}{MARK}"

    return INLINE_FORMULA.sub(hide, text), formulas


def _show_formulas(text: str, formulas: list[str]) -> str:
    return MARKED.sub(lambda match: f"${formulas[int(match.group(1))]}$", text)


class _Reader:
    """Reads the judged sections of one document in turn, remembering what was counted already."""

    def __init__(self) -> None:
        self.sentences: set[str] = set()
        self.formulas: set[str] = set()
        self.entries: set[str] = set()
        self.counted = ""
        self.prose_like = 0  # sentences with the words of prose
        self.ill_formed = 0  # ... but not their order

    @property
    def salad(self) -> bool:
        """Whether what was read is word salad (see :data:`MAX_ILL_FORMED`)."""
        return self.ill_formed >= max(MIN_ILL_FORMED, MAX_ILL_FORMED * self.prose_like)

    def prime(self, markdown: str) -> None:
        """Remember ``markdown``, the notebook's text outside the judged sections (the statement): copied, it counts
        for nothing."""
        read = []
        for kind, block in _blocks(markdown):
            if kind in ("prose", "item"):
                hidden, inline = _hide_formulas(block)
                read += [_show_formulas(sentence, inline) for sentence in SENTENCE_END.split(_plain(hidden))]
        self.sentences |= {_key(sentence) for sentence in read}
        self.counted += "".join(f"{sentence}\n" for sentence in read)

    def read(self, title: str, position: int, markdown: str) -> Content:
        sentences: list[str] = []
        numbers: set[str] = set()
        formulas: list[str] = []
        entries: list[str] = []
        rows: list[str] = []
        words = 0
        waiting: list[str] = []  # display formulas after a block without prose: they count if prose follows
        after_prose = False
        for kind, block in [*_blocks(markdown), ("end", "")]:
            if kind != "row" and rows:
                numbers |= _table_numbers(rows)
                rows = []
            if kind == "row":
                rows.append(block)
            elif kind == "formula":
                (formulas if after_prose else waiting).append(block)
            elif kind in ("prose", "item"):
                hidden, inline = _hide_formulas(block)
                plain = _plain(hidden)
                if kind == "item":
                    entries.append(_show_formulas(plain, inline))
                shapes = [(sentence, *_shape(sentence)) for sentence in SENTENCE_END.split(plain)]
                self.prose_like += sum(worded for _, worded, _ in shapes)
                self.ill_formed += sum(worded and not ordered for _, worded, ordered in shapes)
                prose = [sentence for sentence, worded, ordered in shapes if worded and ordered]
                for sentence in prose:
                    key = _key(_show_formulas(sentence, inline))
                    if key not in self.sentences:
                        self.sentences.add(key)
                        sentences.append(_show_formulas(sentence, inline))
                        words += len(_tokens(sentence))
                        formulas += [inline[int(i)] for i in MARKED.findall(sentence)]
                        numbers |= {_number(n) for n in NUMBER.findall(MARKED.sub(" ", sentence))}
                after_prose = bool(prose)
                if after_prose:
                    formulas += waiting
                waiting = []
        text = "\n".join(sentences)
        words = min(words, int(_stored_bytes(text, self.counted) / BYTES_PER_WORD))
        self.counted += text + "\n"
        return Content(title, position, tuple(sentences), words, frozenset(numbers), self._distinct_formulas(formulas),
                       self._distinct_entries(entries))

    def _distinct_formulas(self, formulas: list[str]) -> tuple[str, ...]:
        kept = []
        for formula in formulas:
            key = "".join(formula.split())
            if key not in self.formulas:
                self.formulas.add(key)
                kept.append(formula)
        return tuple(kept)

    def _distinct_entries(self, items: list[str]) -> tuple[str, ...]:
        """List items with enough distinct words, once each (two items that differ by a number are one)."""
        kept = []
        for item in items:
            words = set(_words(INLINE_FORMULA.sub(" ", item)))
            key = " ".join(sorted(words))
            if len(words) >= MIN_ENTRY_WORDS and key not in self.entries:
                self.entries.add(key)
                kept.append(item)
        return tuple(kept)


def read_sections(notebook: nbformat.NotebookNode, titles: tuple[str, ...]) -> dict[str, Content | None]:
    """Each of ``titles``: the content its section counts (:class:`Content`), or None when there is no such heading.

    The sections are read innermost first, then in the notebook's order: text under a judged heading
    nested in another judged heading belongs to the inner one, and text written twice counts where it
    is read first. The notebook's other Markdown (the statement, the instructions) is read before them:
    its sentences, copied under a heading, count for nothing.
    """
    sections = markdown_sections(notebook)
    found = {title: find_section(sections, title) for title in titles}
    positions = {title: sections.index(section) for title, section in found.items() if section is not None}
    judged = Counter(line.strip() for section in found.values() if section is not None
                     for line in section["text"].splitlines() if line.strip())
    given = []  # the Markdown lines outside the judged sections, in order
    for cell in notebook.get("cells", []):
        for line in cell_source(cell).splitlines() if cell.get("cell_type") == "markdown" else ():
            if judged[line.strip()] > 0:
                judged[line.strip()] -= 1
            else:
                given.append(line)
    reader = _Reader()
    reader.prime("\n".join(given))
    read = {title: reader.read(title, positions[title], found[title]["text"])
            for title in sorted(positions, key=lambda t: (-found[t]["level"], positions[t]))}
    if reader.salad:
        read = {title: Content(title, positions[title], (), 0, frozenset(), (), ()) for title in read}
    return {title: read.get(title) for title in titles}


def sections_to_judge(read: dict[str, Content | None], titles: tuple[str, ...], document: str,
                      written: Callable[[str, Content], bool] = lambda title, section: section.has_content,
                      ) -> dict[str, Content]:
    """The sections among ``titles`` that are there with content of their own (``written``): what a content check
    judges. A missing or empty section costs the check that names the sections only; with fewer than half of
    ``titles`` there is too little to judge, and the check fails (a :class:`Failure` naming ``document``, « du
    rapport », « de l'article »)."""
    found = {title: section for title in titles if (section := read[title]) is not None and written(title, section)}
    if 2 * len(found) < len(titles):
        raise Failure(f"Sections {document} introuvables ou sans texte rédigé (titres Markdown, par exemple « ## "
                      f"{titles[0]} », suivis de phrases) : {', '.join(t for t in titles if t not in found)} ; il en "
                      f"faut au moins la moitié pour juger le contenu ({', '.join(titles)}).")
    return found


def _fingerprint(kind: str, data: Any, budget: int) -> tuple[str | None, int]:
    """A hash of the figure an output's image (MIME type, base64 or SVG text) holds, or None when it holds none;
    and the pixels decoded to tell, at most ``budget``.

    A PNG or JPEG must decode, be at least :data:`MIN_FIGURE_SIDE` pixels a side (and no larger than
    :data:`MAX_FIGURE_PIXELS`), not of one colour, with an entropy of at least :data:`MIN_FIGURE_ENTROPY`
    bits; an SVG must have :data:`MIN_SVG_ELEMENTS` drawing elements. The hash is the decoded pixels'.
    """
    text = "".join(data) if isinstance(data, list) else str(data)
    if kind == "image/svg+xml":
        drawn = re.findall(r"<(?:path|line|polyline|polygon|rect|circle|ellipse|text|use)\b", text)
        return (hashlib.sha256(text.encode()).hexdigest() if len(drawn) >= MIN_SVG_ELEMENTS else None), 0
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(base64.b64decode(text))) as image:
            width, height = image.size
            if min(width, height) < MIN_FIGURE_SIDE or width * height > min(MAX_FIGURE_PIXELS, budget):
                return None, 0
            grey = image.convert("L")
    except (binascii.Error, UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None, 0
    low, high = grey.getextrema()
    if high == low or grey.entropy() < MIN_FIGURE_ENTROPY:
        return None, width * height
    return hashlib.sha256(grey.tobytes() + f"{width}x{height}".encode()).hexdigest(), width * height


def figure_count(notebook: nbformat.NotebookNode) -> int:
    """Distinct real figures among the saved outputs of the student's code cells (graded test cells excluded).

    An output counts for one figure, its first image (:func:`_fingerprint`); the same figure shown twice counts
    once; images past :data:`MAX_NOTEBOOK_PIXELS` decoded pixels are not looked at.
    """
    seen: set[str] = set()
    budget = MAX_NOTEBOOK_PIXELS
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code" or section(cell, "nbgrader").get("grade", False):
            continue
        for output in cell.get("outputs", []) or []:
            data = output.get("data", {}) or {}
            kind = next((kind for kind in IMAGE_TYPES if kind in data), None)
            if kind is not None:
                found, decoded = _fingerprint(kind, data[kind], budget)
                budget -= decoded
                if found:
                    seen.add(found)
    return len(seen)
