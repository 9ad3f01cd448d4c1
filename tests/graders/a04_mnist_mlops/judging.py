"""Judging helpers shared by 04_mnist_mlops's public and hidden tests (grading process only, never the sandbox)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from a04_mnist_mlops import probes
from a04_mnist_mlops.inputs import flat, pixel_images, predict_request
from autograder.checks import dockerfile
from autograder.checks.expect import expect_close, expect_equal, expect_true, fail
from autograder.checks.web_app import described, expect_json, expect_status


def expect_prediction_answer(answer: dict[str, Any], request: dict[str, Any], probabilities: np.ndarray) -> None:
    """200 with ``{"prediction": argmax, "probabilities": [[10 probabilities]]}`` of the grader's model."""
    expect_status(answer, request, 200)
    document = expect_json(answer, request)
    expect_equal("Clés de la réponse", ["prediction", "probabilities"], sorted(document))
    found = document["probabilities"]
    shape = list(np.shape(found)) if isinstance(found, list) else type(found).__name__
    expect_equal("Forme de \"probabilities\"", [1, 10], shape,
                 "model.predict(...).tolist() : une liste [[10 valeurs]].")
    expect_close("Probabilités renvoyées", probabilities, np.asarray(found, dtype=float), atol=1e-4,
                 hint="Divisez les pixels reçus par 255 avant de prédire, et gardez leur ordre (reshape(1, 784)).")
    prediction = document["prediction"]
    expect_true(isinstance(prediction, int) and not isinstance(prediction, bool),
                f"\"prediction\" doit être un entier JSON, pas {prediction!r}.")
    expect_equal("Classe prédite", int(np.argmax(probabilities)), prediction)


def expect_error_answer(answer: dict[str, Any], request: dict[str, Any], status: int, message: str | None = None
                        ) -> None:
    """``status`` with the JSON ``{"error": <message>}`` (any non-empty French message when ``message`` is None)."""
    expect_status(answer, request, status)
    document = expect_json(answer, request)
    error = document.get("error")
    if message is None:
        expect_true(isinstance(error, str) and error.strip() != "",
                    f"Réponse à {described(request)} : un message clair attendu dans la clé \"error\", "
                    f"obtenu {document!r}.")
    else:
        expect_equal(f"Message d'erreur de la réponse à {described(request)}", {"error": message}, document)


def expect_rejected(student: Any, folder: Path, requests: list[dict[str, Any]]) -> None:
    """Each malformed request gets a JSON 400; a valid request sent after them still gets its 200."""
    valid = predict_request(flat(pixel_images(1, 99)[0]))
    *answers, last = student.run(probes.api_answers, str(folder), [*requests, valid])
    for request, answer in zip(requests, answers, strict=True):
        expect_error_answer(answer, request, 400)
    expect_status(last, valid, 200)


def run_command(instruction: dockerfile.Instruction) -> list[str]:
    """The words of a RUN instruction, ``python -m pip`` and ``pip3`` read as ``pip``."""
    words = dockerfile.arguments(instruction)
    if " ".join(words[:3]) in ("python -m pip", "python3 -m pip"):
        words = words[2:]
    return ["pip" if word == "pip3" else word for word in words]


def copied_sources(found: list[dockerfile.Instruction]) -> list[tuple[int, list[str]]]:
    """``(line, sources)`` of each COPY and ADD (options such as ``--chown`` dropped, destination dropped)."""
    copies = []
    for item in found:
        if item.name in ("COPY", "ADD"):
            words = [word for word in dockerfile.arguments(item) if not word.startswith("--")]
            copies.append((item.line, words[:-1]))
    return copies


def copy_line(found: list[dockerfile.Instruction], name: str) -> int | None:
    """The line of the first COPY or ADD that brings ``name`` (itself, or the whole build context)."""
    for line, sources in copied_sources(found):
        if any(Path(source).name == name or source in (".", "./") for source in sources):
            return line
    return None


def expect_copied(found: list[dockerfile.Instruction], name: str) -> None:
    """``name`` is copied into the image (COPY or ADD of the file, or of the whole context)."""
    if copy_line(found, name) is None:
        fail(f"Copie de {name} dans l'image", f"COPY {name} …", [f"ligne {line} : {sources}" for line, sources
                                                                  in copied_sources(found)] or "aucune copie")
