"""Web applications under test: served for real on the sandbox's loopback, called with real HTTP.

Sandbox side, :func:`serve` runs a WSGI application (the student's Flask app, or the grader's
recording stand-in for testing a client) in Werkzeug's threaded server on ``127.0.0.1`` (the
sandbox's own network namespace: nothing outside is reachable), and :func:`exchange` sends one
raw HTTP request with :mod:`http.client`, so that malformed bodies travel exactly as written.
Answers come back as plain data (:func:`answered`); grading side, :func:`expect_status` and
:func:`expect_json` judge them.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from autograder.checks.expect import expect_true, fail

HOST = "127.0.0.1"
BODY_KEPT = 2_000  # characters of an answer's body kept for feedback


@contextlib.contextmanager
def serve(app: Callable[..., Any]) -> Iterator[str]:
    """Serve the WSGI ``app`` on a free loopback port; yield its base URL; stop the server afterwards."""
    from werkzeug.serving import make_server

    server = make_server(HOST, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def exchange(base_url: str, method: str, path: str, body: bytes | str | None = None,
             content_type: str | None = "application/json", timeout_s: float = 10.0) -> dict[str, Any]:
    """One HTTP request, as sent; the answer as plain data (see :func:`answered`)."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout_s)
    headers = {"Content-Type": content_type} if content_type else {}
    try:
        connection.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=headers)
        response = connection.getresponse()
        return answered(response.status, response.getheader("Content-Type") or "", response.read())
    except (OSError, http.client.HTTPException) as error:
        return {"status": None, "content_type": "", "json": None, "text": "", "error": f"{type(error).__name__}: "
                f"{error}"}
    finally:
        connection.close()


def answered(status: int, content_type: str, raw: bytes) -> dict[str, Any]:
    """``{"status", "content_type", "json" (the parsed body, or None), "text" (its start), "error": None}``."""
    text = raw.decode("utf-8", "replace")
    try:
        document = json.loads(text) if "json" in content_type else None
    except ValueError:
        document = None
    return {"status": status, "content_type": content_type, "json": document, "text": text[:BODY_KEPT],
            "error": None}


def call_app(app: Callable[..., Any], requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Serve ``app`` and send each request (``method``, ``path``, ``body``, ``content_type``) in turn.

    Returns:
        One :func:`answered` document per request, in order.
    """
    with serve(app) as url:
        return [exchange(url, r.get("method", "POST"), r["path"], r.get("body"),
                         r.get("content_type", "application/json")) for r in requests]


def described(request: dict[str, Any]) -> str:
    """A request as a student reads it in feedback: ``POST /predict`` and the start of its body."""
    body = request.get("body")
    shown = body if isinstance(body, str) else "(vide)" if body is None else f"{len(body)} octets"
    return f"{request.get('method', 'POST')} {request['path']} avec le corps {shown[:80]!r}"


def expect_status(answer: dict[str, Any], request: dict[str, Any], status: int) -> None:
    """The answer came (the server did not fail) with ``status``."""
    expect_true(answer["error"] is None, f"Pas de réponse HTTP à {described(request)} : {answer['error']}.")
    if answer["status"] != status:
        fail(f"Code HTTP de la réponse à {described(request)}", status,
             f"{answer['status']} ({answer['text'][:200]!r})")


def expect_json(answer: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """The answer's body is a JSON object (``Content-Type: application/json``); return it."""
    document = answer["json"]
    if not isinstance(document, dict):
        fail(f"Corps de la réponse à {described(request)}", "un objet JSON (Content-Type: application/json)",
             f"{answer['content_type'] or 'sans Content-Type'} : {answer['text'][:200]!r}",
             "Répondez avec flask.jsonify(...).")
    return document
