"""Provisional estimates of hand-graded criteria follow what a report really says (issue 30, item 8).

09_mini_project's report criteria (documentation and analysis, 6 points) and 08_attention's article
(research, 6 points) are estimated automatically from the notebook's Markdown and figures
(``autograder/checks/content.py``) until an instructor overrides them. Crafted reports that pad
(cycled filler with the expected headings, digits, keywords and formulas, lorem ipsum, headings
alone, keyword lists, digits and formulas, a paragraph copied under every heading, shuffled words,
blank, tiny, constant or repeated images) earn nothing, or no more than a short genuine report; padding
appended to a real report changes nothing; the references (the solutions' notebooks and the example
submissions) keep exactly their expected outcome. Everything here reads notebooks: nothing is run.
"""

from __future__ import annotations

import base64
import copy
import functools
import importlib
import inspect
import io
import itertools
import random
import re
from collections.abc import Callable
from types import ModuleType

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from PIL import Image, ImageDraw

from autograder.authoring import tests as graded_cell
from autograder.checks import content
from autograder.checks.content import figure_count, is_prose, read_sections
from autograder.grading.assignments import available_assignments, load_assignment
from autograder.grading.spec import Failure
from autograder.paths import ASSIGNMENTS_DIR, SOLUTIONS_DIR
from tests.submissions.build import example_modules, example_path

REPORT = "09_mini_project"
ARTICLE = "08_attention"


def _graders(assignment: str) -> ModuleType:
    load_assignment(assignment)
    return importlib.import_module({REPORT: "a09_mini_project", ARTICLE: "a08_attention"}[assignment] + ".test_public")


def _provisional(assignment: str, notebook: nbformat.NotebookNode) -> dict[str, tuple[Callable[[], None], float]]:
    """The assignment's provisional checks on ``notebook``: ``{name: (the check, ready to call; its points)}``, the
    grader's own test functions given what their fixtures would give."""
    public = _graders(assignment)
    titles = public.REPORT_SECTIONS if assignment == REPORT else public.SECTIONS
    arguments = {"report": read_sections(notebook, titles), "article": read_sections(notebook, titles),
                 "notebook": notebook}
    checks = {}
    for name, function in vars(public).items():
        for mark in getattr(function, "pytestmark", []):
            if mark.name == "graded" and mark.kwargs.get("provisional"):
                given = [arguments[p] for p in inspect.signature(function).parameters]
                checks[name.removeprefix("test_")] = (functools.partial(function, *given), mark.kwargs["points"])
    return checks


def estimates(assignment: str, notebook: nbformat.NotebookNode) -> dict[str, float]:
    """Points of each provisional check on ``notebook``, as the grader's functions give them (Failure: 0)."""
    points = {}
    for name, (check, value) in _provisional(assignment, notebook).items():
        try:
            check()
            points[name] = value
        except Failure:
            points[name] = 0.0
    return points


# ------------------------------------------------------------------------------------------------ material


def _solution(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(SOLUTIONS_DIR / assignment / f"{assignment}.ipynb", as_version=4)


def _answer(assignment: str, grade_id: str) -> str:
    """The reference's written answer in the Markdown cell ``grade_id``, without its solution markers."""
    (cell,) = [c for c in _solution(assignment).cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return re.sub(r"### (BEGIN|END) SOLUTION\n?", "", cell.source)


def _sections(markdown: str) -> dict[str, str]:
    """``{title: text}`` of the ``## `` sections of ``markdown`` (what precedes the first one is left out)."""
    parts = re.split(r"^## (.+)\n", markdown, flags=re.M)
    return {title: text.strip() for title, text in zip(parts[1::2], parts[2::2], strict=True)}


def markdown_of(sections: dict[str, str]) -> str:
    return "".join(f"## {title}\n\n{text}\n\n" for title, text in sections.items())


def _png(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def _plot(seed: int) -> str:
    """A figure as matplotlib draws one: axes, a curve, a legend; a different curve for each seed."""
    image = Image.new("RGB", (640, 480), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(80, 40), (80, 420), (600, 420)], fill="black", width=2)
    rng = random.Random(seed)
    points = [(80 + 5 * x, 230 + int(150 * rng.uniform(-1, 1) * (x % 17) / 17)) for x in range(104)]
    draw.line(points, fill=(31, 119, 180), width=2)
    draw.text((450, 60), f"modèle {seed}", fill="black")
    return _png(image)


def notebook_of(markdown: str, figures: list[str]) -> nbformat.NotebookNode:
    """A notebook with the report in one Markdown cell and one code cell per figure (a PNG output)."""
    cells = [new_markdown_cell(markdown)]
    cells += [new_code_cell("plt.show()", outputs=[new_output("display_data", data={"image/png": png,
                                                                                    "text/plain": "<Figure>"})])
              for png in figures]
    return new_notebook(cells=cells)


REAL_FIGURES = [_plot(seed) for seed in range(4)]
BLANK_PIXELS = [_png(Image.new("RGB", (1, 1), colour)) for colour in ("white", "black", "red", "blue")]
CONSTANT_IMAGES = [_png(Image.new("RGB", (640, 480), colour)) for colour in ("white", "black", "red", "blue")]
SAME_FIGURE = [REAL_FIGURES[0]] * 4
NOISE_STRIP = [_png(Image.effect_noise((640, 8), 64))] * 4  # too thin to be a figure

LOREM = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et "
         "dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex "
         "ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu "
         "fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt "
         "mollit anim id est laborum.")
#: The issue's padding: the words, digits and formulas the estimates used to look for, cycled.
FILLER = ("modèle amélioré 1 modèle amélioré 2 modèle amélioré 3 force avantage gain faiblesse limite confusion baisse "
          "robuste recommande conseille 98,9 % 99,1 % 99,2 % 97,5 % 4 9 7 2 5 3 softmax attention TAP mémoire "
          "$\\mathrm{softmax}(QK^T/\\sqrt{d_k})V = A$ $h_t = W x_t$ $z_{t+1} = f(z_t)$").split()
#: A grammatical sentence with every keyword, cycled with a changing number (exact copies count once anyway).
CYCLED_SENTENCE = ("Le modèle amélioré {n} a la force d'un gain de {n},5 % et la faiblesse d'une confusion entre 4 "
                   "et 9, donc je recommande le modèle amélioré 2 avec $z_{{t+1}} = \\mathrm{{softmax}}(W h_{n})$.")
KEYWORDS = ["Modèle amélioré 1, modèle amélioré 2, modèle amélioré 3", "Forces : gain, avantage, robuste",
            "Faiblesses : limite, confusion, baisse", "Recommandations : conseille, préconise",
            "Résultats : 98,9 %, 99,1 %, 99,2 %, 97,5 %", "Chiffres : 4, 9, 7, 2",
            "$$\\mathrm{softmax}(QK^T/\\sqrt{d_k})V$$", "TAP 2021, Vaswani 2017, Bahdanau 2015"]


def _filler(words: int, start: int = 0) -> str:
    """``words`` filler words from ``start`` in the cycle, in sentences of ten words."""
    cycle = list(itertools.islice(itertools.cycle(FILLER), start, start + words))
    return " ".join(" ".join(cycle[i:i + 10]).capitalize() + "." for i in range(0, words, 10))


def _shuffled(text: str, seed: int) -> str:
    """The words of ``text`` (formulas included) in a random order, as sentences of 15 words: word salad."""
    words = text.replace("\n", " ").split()
    random.Random(seed).shuffle(words)
    return " ".join(" ".join(words[i:i + 15]).capitalize() + "." for i in range(0, len(words), 15))


# ------------------------------------------------------------------------------------------------ 09: the report

REPORT_SECTIONS = ("Introduction", "Modèle de référence", "Améliorations proposées", "Résultats comparatifs",
                   "Analyse des erreurs", "Test de robustesse", "Conclusion")
#: A short but genuine report: a sentence or two of real content a section.
SHORT_REPORT = {
    "Introduction": "L'entreprise veut lire automatiquement les chiffres manuscrits de ses formulaires, et ce projet "
                    "cherche à améliorer son réseau de référence.",
    "Modèle de référence": "Le modèle de référence enchaîne deux blocs de convolution et une couche dense, et il "
                           "atteint 98,9 % de précision sur le test.",
    "Améliorations proposées": "Le modèle amélioré 1 ajoute un troisième bloc de convolution, le modèle amélioré 2 "
                               "ajoute du dropout et le modèle amélioré 3 apprend sur des images augmentées.",
    "Résultats comparatifs": "Le modèle amélioré 2 obtient la meilleure précision, avec 99,2 % contre 98,9 % pour la "
                             "référence.",
    "Analyse des erreurs": "Le meilleur modèle confond surtout les 4 avec les 9, car leurs tracés se ressemblent quand "
                           "la boucle est ouverte.",
    "Test de robustesse": "Sous un bruit gaussien, la précision passe de 99,2 % à 99,1 %, et elle tombe à 98,8 % avec "
                          "des rotations.",
    "Conclusion": "Le modèle 2 est le meilleur compromis malgré sa faiblesse sur les chiffres tournés, et nous "
                  "recommandons de l'adopter.",
}


def reference_report() -> dict[str, str]:
    sections = {**_sections(_answer(REPORT, "documentation")), **_sections(_answer(REPORT, "analysis"))}
    assert tuple(sections) == REPORT_SECTIONS
    return sections


def _reference_figures() -> list[str]:
    """The reference notebook's figures (PNG outputs of its code cells)."""
    return [output["data"]["image/png"] for cell in _solution(REPORT).cells if cell.cell_type == "code"
            for output in cell.get("outputs", []) if "image/png" in output.get("data", {})]


def _copied_statement(assignment: str, titles: tuple[str, ...]) -> nbformat.NotebookNode:
    """The released notebook, its answer cells filled with ``titles`` over paragraphs of its own statement."""
    notebook = nbformat.read(ASSIGNMENTS_DIR / assignment / f"{assignment}.ipynb", as_version=4)
    paragraphs = [p for cell in notebook.cells if cell.cell_type == "markdown" and not cell.metadata.get("nbgrader")
                  for p in cell.source.split("\n\n") if len(p.split()) > 25 and not p.lstrip().startswith("#")]
    answers = [cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("solution")
               and cell.cell_type == "markdown"]
    answers[0].source = markdown_of({title: "\n\n".join(paragraphs[i::len(titles)]) for i, title in enumerate(titles)})
    for cell in answers[1:]:
        cell.source = ""
    return notebook


def _padded(sections: dict[str, str]) -> dict[str, str]:
    """Every section with padding appended: filler, lorem ipsum, keywords, and its own text twice more."""
    return {title: f"{text}\n\n{_filler(150)}\n\n{LOREM}\n\n" + "\n".join(f"- {k}" for k in KEYWORDS)
            + f"\n\n{text}\n\n{text}" for title, text in sections.items()}


def _nested(sections: dict[str, str]) -> str:
    """Every heading nested in the previous one, all the text under the last one."""
    titles = list(sections)
    return "".join(f"{'#' * (2 + i)} {title}\n\n" for i, title in enumerate(titles[:4])) + "\n\n".join(
        sections.values())


@functools.cache
def report_cases() -> dict[str, tuple[nbformat.NotebookNode, float]]:
    """Crafted 09 reports: ``{name: (notebook, expected points of the 6 provisional ones)}``."""
    reference = reference_report()
    figures = _reference_figures()

    def each(text: str) -> str:
        return markdown_of(dict.fromkeys(REPORT_SECTIONS, text))

    filler = markdown_of({title: _filler(150, 7 * i) for i, title in enumerate(REPORT_SECTIONS)})
    cycled = each(" ".join(CYCLED_SENTENCE.format(n=n) for n in range(1, 12)))
    keywords = each("\n".join(f"- {k}" for k in KEYWORDS))
    digits = each("98,9 % 99,1 % 99,2 % 97,5 % 4 9 7 2 " * 10 + "$$\\mathrm{softmax}(x)_i = e^{x_i}$$ $a = b$ " * 5)
    salad = markdown_of({title: _shuffled(text, i) for i, (title, text) in enumerate(reference.items())})
    repeated = markdown_of({title: f"{text} " * 12 for title, text in SHORT_REPORT.items()})
    return {
        # Padding alone: nothing.
        "cycled_filler_and_blank_pngs": (notebook_of(filler, BLANK_PIXELS), 0),
        "cycled_sentence_with_keywords": (notebook_of(cycled, BLANK_PIXELS), 0),
        "lorem_ipsum": (notebook_of(each(f"{LOREM} {LOREM}"), CONSTANT_IMAGES), 0),
        "lorem_ipsum_with_keywords": (notebook_of(each(f"{LOREM} {_filler(40)} {LOREM}"), CONSTANT_IMAGES), 0),
        "headings_only": (notebook_of(each(""), []), 0),
        "keyword_lists": (notebook_of(keywords, NOISE_STRIP), 0),
        "digits_and_formulas": (notebook_of(digits, BLANK_PIXELS), 0),
        "word_salad_of_the_reference": (notebook_of(salad, BLANK_PIXELS), 0),
        "one_paragraph_under_every_heading": (notebook_of(each(f"{reference['Conclusion']}\n\n" * 3), SAME_FIGURE), 0),
        "nested_headings_one_text": (notebook_of(_nested(reference), SAME_FIGURE), 0),
        "statement_copied_under_the_headings": (_copied_statement(REPORT, REPORT_SECTIONS), 0),
        # Genuine content: what it says, padded or not; figures count when they are real and distinct.
        "short_genuine": (notebook_of(markdown_of(SHORT_REPORT), REAL_FIGURES), 4),
        "short_genuine_repeated_to_length": (notebook_of(repeated, REAL_FIGURES), 4),
        "short_genuine_padded": (notebook_of(markdown_of(_padded(SHORT_REPORT)), REAL_FIGURES + BLANK_PIXELS), 4),
        "reference_text_blank_pngs": (notebook_of(markdown_of(reference), BLANK_PIXELS), 5),
        "reference_text_constant_images": (notebook_of(markdown_of(reference), CONSTANT_IMAGES), 5),
        "reference_text_one_figure_four_times": (notebook_of(markdown_of(reference), SAME_FIGURE), 5),
        "reference": (notebook_of(markdown_of(reference), figures), 6),
        "reference_padded": (notebook_of(markdown_of(_padded(reference)), figures + BLANK_PIXELS), 6),
    }


# ------------------------------------------------------------------------------------------------ 08: the article

ARTICLE_SECTIONS = ("Analyse de l'article", "Méthode proposée", "Évaluation prévue", "Limites attendues", "Références")
#: Five sections, a few genuine sentences each, one equation, three references.
SHORT_ARTICLE = {
    "Analyse de l'article": "TAP encode les images d'une vidéo dans un espace latent, prédit les latents suivants "
                            "avec un modèle récurrent, puis les décode. Sur de longues vidéos, les objets dérivent car "
                            "le modèle oublie ce qu'il a vu il y a longtemps.",
    "Méthode proposée": "Nous ajoutons une mémoire des latents passés que le modèle relit à chaque pas par attention, "
                        "avec $r_t = \\mathrm{softmax}(K_t q_t / \\sqrt{d_k})^\\top V_t$ comme vecteur lu.",
    "Évaluation prévue": "Nous comparerons notre modèle à TAP sur Moving MNIST, avec le MSE par image et un score de "
                         "consistance des chiffres.",
    "Limites attendues": "La mémoire a une taille finie et l'attention a un coût quadratique en la longueur de la "
                         "vidéo.",
    "Références": "- Temporal Latent Space Modeling for Video Generation (TAP).\n"
                  "- A. Vaswani et al., Attention Is All You Need, NeurIPS, 2017.\n"
                  "- N. Srivastava et al., Unsupervised Learning of Video Representations using LSTMs, ICML, 2015.",
}
REAL_REFERENCES = SHORT_ARTICLE["Références"]
FORMULAS = "\n\n".join(["$$q_t = W_Q h_t$$", "$$K_t = M_t W_K$$", "$$\\alpha_t = \\mathrm{softmax}(K_t q_t)$$",
                        "$$r_t = V_t^\\top \\alpha_t$$"])


def _reference_article() -> dict[str, str]:
    sections = _sections(_answer(ARTICLE, "research"))
    assert tuple(sections) == ARTICLE_SECTIONS
    return sections


def _article_of(sections: dict[str, str]) -> nbformat.NotebookNode:
    return notebook_of(markdown_of(sections), [])


@functools.cache
def article_cases() -> dict[str, tuple[nbformat.NotebookNode, float]]:
    """Crafted 08 articles: ``{name: (notebook, expected points of the 6 provisional ones)}``."""
    reference = _reference_article()
    body = ARTICLE_SECTIONS[:-1]
    filler_references = "\n".join(f"- TAP {' '.join(FILLER[i:i + 4])} {2015 + i}" for i in range(0, 24, 4))

    def article(text: str, references: str = filler_references) -> nbformat.NotebookNode:
        return notebook_of(markdown_of({**dict.fromkeys(body, text), "Références": references}), [])

    filler = {title: f"{_filler(400, 11 * i)}\n\n{FORMULAS}" for i, title in enumerate(body)}
    salad = {title: _shuffled(reference[title], i) for i, title in enumerate(body)}
    paragraph = reference["Analyse de l'article"].split("\n\n")[0]
    short_body = {title: SHORT_ARTICLE[title] for title in body}
    return {
        # Padding alone: nothing.
        "cycled_filler_formulas_references": (notebook_of(markdown_of({**filler, "Références": filler_references}),
                                                          []), 0),
        "cycled_sentence_with_keywords": (article(" ".join(CYCLED_SENTENCE.format(n=n) for n in range(1, 40)),
                                                  REAL_REFERENCES), 0),
        "lorem_ipsum_formulas_real_references": (article(f"{LOREM}\n\n{FORMULAS}\n\n{LOREM} " * 4, REAL_REFERENCES),
                                                 0),
        "headings_only": (article("", ""), 0),
        "headings_and_real_references": (article("", REAL_REFERENCES), 0),
        "keyword_lists": (article("\n".join(f"- {k}" for k in KEYWORDS), "\n".join(f"- {k}" for k in KEYWORDS)), 0),
        "formulas_only": (article(f"{FORMULAS}\n\n" * 3), 0),
        "word_salad_of_the_reference": (notebook_of(markdown_of({**salad, "Références": filler_references}), []), 0),
        "statement_copied_under_the_headings": (_copied_statement(ARTICLE, ARTICLE_SECTIONS), 0),
        "one_paragraph_under_every_heading": (article(f"{paragraph}\n\n" * 6), 0),
        # Genuine content: what it says, padded or not.
        "short_genuine": (notebook_of(markdown_of(SHORT_ARTICLE), []), 3),
        "short_genuine_repeated_to_length": (_article_of({**{t: f"{SHORT_ARTICLE[t]}\n\n" * 30 for t in body},
                                                         "Références": REAL_REFERENCES}), 3),
        "short_genuine_padded": (_article_of({**_padded(short_body),
                                             "Références": f"{REAL_REFERENCES}\n{filler_references}"}), 3),
        "reference": (_article_of(reference), 6),
        "reference_padded": (_article_of({**_padded({t: reference[t] for t in body}),
                                         "Références": f"{reference['Références']}\n{filler_references}"}), 6),
    }


# ------------------------------------------------------------------------------------------------ the tests

CASES = [pytest.param(REPORT, name, id=f"{REPORT}/{name}") for name in report_cases()] + [
    pytest.param(ARTICLE, name, id=f"{ARTICLE}/{name}") for name in article_cases()]


@pytest.fixture(scope="module")
def cases() -> dict[str, dict[str, tuple[nbformat.NotebookNode, float]]]:
    return {REPORT: report_cases(), ARTICLE: article_cases()}


@pytest.mark.parametrize(("assignment", "name"), CASES)
def test_the_estimate_follows_the_content(cases, assignment, name):
    notebook, expected = cases[assignment][name]
    found = estimates(assignment, notebook)
    assert sum(found.values()) == expected, found


def test_padding_earns_nothing(cases):
    """Padding alone earns nothing, and added to a genuine report it adds nothing: the short genuine report, the
    same repeated to the expected length and the same padded score alike, and so do the reference and the
    reference padded."""
    for assignment, crafted in cases.items():
        padding = [name for name, (_, expected) in crafted.items() if expected == 0]
        assert len(padding) >= 10
        for name in padding:
            assert sum(estimates(assignment, crafted[name][0]).values()) == 0, (assignment, name)
        short = estimates(assignment, crafted["short_genuine"][0])
        assert sum(short.values()) > 0
        for name in ("short_genuine_repeated_to_length", "short_genuine_padded"):
            assert estimates(assignment, crafted[name][0]) == short, (assignment, name)
        reference = estimates(assignment, crafted["reference"][0])
        assert estimates(assignment, crafted["reference_padded"][0]) == reference
        assert sum(reference.values()) == 6


def _example_notebooks(assignment: str) -> list[tuple[str, nbformat.NotebookNode, frozenset[str]]]:
    (module,) = [m for m in example_modules() if m.ASSIGNMENT == assignment]
    found = [("reference", _solution(assignment), frozenset())]
    found += [(variant.name, nbformat.read(example_path(assignment, variant), as_version=4), variant.failing)
              for variant in module.VARIANTS]
    return found


@pytest.mark.parametrize("assignment", [REPORT, ARTICLE])
def test_the_references_keep_their_expected_outcome(assignment):
    """The solution's notebook passes every provisional check; each example submission fails exactly the
    provisional checks it is expected to fail (tests/submissions/examples_0[89]_*.py)."""
    for name, notebook, failing in _example_notebooks(assignment):
        checks = set(_provisional(assignment, notebook))
        found = estimates(assignment, notebook)
        assert {check for check, points in found.items() if points == 0} == failing & checks, name


@pytest.mark.parametrize("assignment", [REPORT, ARTICLE])
def test_the_untouched_notebook_is_told_what_is_missing(assignment):
    released = nbformat.read(ASSIGNMENTS_DIR / assignment / f"{assignment}.ipynb", as_version=4)
    for check, _ in _provisional(assignment, released).values():
        with pytest.raises(Failure, match="introuvable"):
            check()


def test_every_provisional_check_says_so_in_its_title():
    """The title is what every feedback surface shows (terminal, HTML page, Gradescope, GitHub)."""
    for assignment in available_assignments():
        for check in load_assignment(assignment).checks:
            assert check.provisional == ("(estimation provisoire)" in check.title), (assignment, check.title)


def test_lorem_ipsum_keyword_lists_and_filler_are_not_prose():
    genuine = [sentence for text in SHORT_REPORT.values() for sentence in re.split(r"(?<=\.) ", text)]
    assert all(is_prose(sentence) for sentence in genuine)
    assert not any(is_prose(sentence) for sentence in re.split(r"(?<=\.) ", LOREM))
    assert not any(is_prose(keywords) for keywords in KEYWORDS if "$" not in keywords)  # formulas are read apart
    assert not is_prose(_filler(10))
    assert not is_prose("Le le la de et du le la de les des.")


def test_only_distinct_real_figures_count(monkeypatch):
    def count(figures: list[str]) -> int:
        return figure_count(notebook_of("", figures))

    assert count(REAL_FIGURES) == 4
    assert count(BLANK_PIXELS) == count(CONSTANT_IMAGES) == count(NOISE_STRIP) == 0
    assert count(SAME_FIGURE) == 1
    assert count(["bm90IGFuIGltYWdl", "iVBORw0KGgo="]) == 0  # not an image, a PNG signature alone
    svg = "<svg>" + "<path d='M0 0L1 1'/>" * 6 + "</svg>"
    notebook = new_notebook(cells=[new_code_cell("", outputs=[new_output("display_data", data={"image/svg+xml": s})])
                                   for s in (svg, "<svg><rect/></svg>")])
    assert figure_count(notebook) == 1
    # Only the student's outputs: a graded test cell's figures and Markdown images are not the student's figures.
    graded = graded_cell(REPORT, "code_quality", 4, "qualité")
    graded.outputs = notebook_of("", REAL_FIGURES[1:]).cells[1].outputs
    notebook = notebook_of("![](figure.png)", REAL_FIGURES[:1])
    notebook.cells.append(graded)
    assert figure_count(notebook) == 1
    # Bounded work: past the notebook's budget of decoded pixels, images are not looked at.
    monkeypatch.setattr(content, "MAX_NOTEBOOK_PIXELS", 2 * 640 * 480)
    assert count(REAL_FIGURES) == 2


def test_text_counts_once_and_under_its_own_heading():
    reference = reference_report()
    doubled = copy.deepcopy(reference)
    doubled["Conclusion"] += "\n\n" + reference["Introduction"]  # copied from an earlier section: counted there
    read = read_sections(notebook_of(markdown_of(doubled), []), REPORT_SECTIONS)
    original = read_sections(notebook_of(markdown_of(reference), []), REPORT_SECTIONS)
    assert read["Conclusion"].words == original["Conclusion"].words
    assert read["Introduction"].words == original["Introduction"].words
    nested = read_sections(notebook_of(_nested(reference), []), REPORT_SECTIONS)
    assert [nested[t].has_content for t in REPORT_SECTIONS[:4]] == [False, False, False, True]
