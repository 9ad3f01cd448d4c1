"""Fingerprint every unit with copydetect and rank the pairs of submissions by what they share.

Each unit (:mod:`autograder.similarity.units`) is fingerprinted by copydetect's ``CodeFingerprint``:
code is tokenised by Pygments and filtered (every identifier becomes ``V``, ``F`` or ``O``, every string
``S``, comments and spaces go), then its k-grams are hashed and winnowed; written answers are winnowed
as they are (lower-cased words). The released notebook's fingerprints, all of them, are copydetect's
``boilerplate``: removed from every unit, so that the starter code never counts. So are the fingerprints
that much of the batch shares (:func:`common_hashes`). A file several students handed in is read,
fingerprinted and compared once.

Two units of two submissions are compared by copydetect's ``compare_files``: the share of each unit's
tokens found in the other. A fragment's similarity is the larger share, counted only for a unit of at
least :data:`MIN_TOKENS` tokens (a one-line answer that everyone writes alike proves nothing); a pair's
score is its best fragment's similarity, so that one function copied out of ten is found. Pairs at or
above :data:`THRESHOLD` are flagged; flagged pairs that link three or more submissions form a cluster.
"""

from __future__ import annotations

import io
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder.similarity.units import Unit

#: Code: k-grams of 25 filtered characters (about 12 tokens), winnowed in windows of 6 (copydetect's
#: defaults: noise threshold 25, guarantee threshold 30). Text: 40 characters (6 or 7 words), windows of 11.
K_CODE, WINDOW_CODE = 25, 6
K_TEXT, WINDOW_TEXT = 40, 11
#: Units with fewer tokens (filtered characters) left after the boilerplate are not scored.
MIN_TOKENS = {"code": 50, "text": 120}
#: A pair whose best fragment shares at least this share of a unit is flagged (README: "Code similarity").
THRESHOLD = 0.9
#: A fingerprint found in more than this many of the batch's submissions, and this share of them, is common.
COMMON_MIN, COMMON_SHARE = 10, 0.1
#: Unit pairs whose fingerprints overlap less (a quick set count) are not compared token by token.
PREFILTER = 0.2
#: Fragments shown for a pair: those at least this similar (the best one always).
SHOWN = 0.5


@dataclass
class Fingerprinted:
    """A unit and its copydetect fingerprint (``fingerprint.hashes``: the set of winnowed hashes)."""

    unit: Unit
    fingerprint: object

    @property
    def hashes(self) -> set:
        return self.fingerprint.hashes


@dataclass
class Submission:
    """One compared submission (a student's notebook, or an ``--against`` source).

    Attributes:
        name: the student (or the source's path, for an external one).
        path: its file.
        units: what of it is the student's (:func:`autograder.similarity.units.file_units`).
        external: an earlier year's archive or a solution found online: compared with the batch only.
        page: its feedback page, relative to the similarity page, if any.
        digest: its file's SHA-256, if known: submissions of one digest are fingerprinted and compared once.
        scored: its units fingerprinted, those left with at least :data:`MIN_TOKENS` tokens (by :func:`compare`).
    """

    name: str
    path: Path | None
    units: list[Unit]
    external: bool = False
    page: str | None = None
    digest: str = ""
    scored: list[Fingerprinted] = field(default_factory=list)
    _hashes: dict[str, set] = field(default_factory=dict, repr=False)

    def hashes(self, kind: str) -> set:
        """Every fingerprint of its scored units of ``kind``."""
        if kind not in self._hashes:
            self._hashes[kind] = set().union(*(u.hashes for u in self.scored if u.unit.kind == kind))
        return self._hashes[kind]

    def fingerprint(self, starter: Starter) -> None:
        """Fingerprint its units without the starter code's hashes."""
        self.scored, self._hashes = fingerprinted(self.units, starter), {}

    def refingerprint(self, starter: Starter, common: dict[str, set]) -> None:
        """Fingerprint again, without ``starter`` (the starter code and ``common``), the units holding a common hash."""
        scored = [fingerprinted([u.unit], starter) if u.hashes & common[u.unit.kind] else [u] for u in self.scored]
        self.scored, self._hashes = [u for kept in scored for u in kept], {}


@dataclass(frozen=True)
class Fragment:
    """Two units that share code or text.

    Attributes:
        similarity: the larger share of a (large enough) unit's tokens found in the other.
        left_slices, right_slices: ``(start, end)`` of the shared parts in each unit's ``code``.
    """

    left: Unit
    right: Unit
    similarity: float
    left_slices: tuple[tuple[int, int], ...]
    right_slices: tuple[tuple[int, int], ...]


@dataclass
class Pair:
    """Two submissions, their score (best fragment) and each kind's share of fingerprints in common."""

    left: Submission
    right: Submission
    score: float
    shares: dict[str, float]
    fragments: list[Fragment]


@dataclass
class Comparison:
    """One assignment's comparison.

    Attributes:
        pairs: every pair sharing anything, ranked by score (highest first), then by fingerprints in common.
        clusters: the names of three or more submissions linked by flagged pairs, largest group first.
        seconds: the comparison's wall time; ``common``: how many fingerprints were left out as common.
    """

    assignment: str
    submissions: list[Submission]
    pairs: list[Pair]
    clusters: list[list[str]]
    threshold: float
    seconds: float
    common: int = 0

    @property
    def flagged(self) -> list[Pair]:
        return [pair for pair in self.pairs if pair.score >= self.threshold]


def _copydetect():
    import copydetect  # instructor-only dependency, imported where used (it imports matplotlib.pyplot)

    return copydetect


def _fingerprint(unit: Unit, boilerplate: np.ndarray | None = None, every_hash: bool = False):
    """copydetect's fingerprint of ``unit`` (``every_hash``: all k-gram hashes, for the boilerplate)."""
    code = unit.kind == "code"
    k, window = (K_CODE, WINDOW_CODE) if code else (K_TEXT, WINDOW_TEXT)
    return _copydetect().CodeFingerprint(
        "unit.py" if code else "unit.txt", k, 1 if every_hash else window, boilerplate, filter=code,
        language="python" if code else None, fp=io.StringIO(unit.code if code else unit.normalized))


@dataclass(frozen=True)
class Starter:
    """What no submission is credited for: every hash of the released notebook's units (copydetect's
    ``boilerplate``, by kind) and those units' texts (a unit left exactly as released is not fingerprinted)."""

    hashes: dict[str, np.ndarray]
    texts: frozenset[str] = frozenset()

    def extended(self, common: dict[str, set]) -> Starter:
        """The starter code and the ``common`` hashes."""
        return Starter({kind: np.union1d(self.hashes[kind], np.array(sorted(common[kind]), dtype=np.int64))
                        for kind in self.hashes}, self.texts)


def boilerplate(units: Iterable[Unit]) -> Starter:
    """The released notebook's units as starter code."""
    units = list(units)
    found: dict[str, set] = {"code": set(), "text": set()}
    for unit in units:
        found[unit.kind] |= _fingerprint(unit, every_hash=True).hashes
    return Starter({kind: np.array(sorted(hashes), dtype=np.int64) for kind, hashes in found.items()},
                   frozenset(unit.normalized for unit in units))


def fingerprinted(units: Iterable[Unit], starter: Starter) -> list[Fingerprinted]:
    """The units' fingerprints without the starter code's, keeping those large enough to be scored."""
    kept = []
    for unit in units:
        if unit.normalized in starter.texts:
            continue
        fingerprint = _fingerprint(unit, starter.hashes[unit.kind])
        if fingerprint.token_coverage >= MIN_TOKENS[unit.kind]:
            kept.append(Fingerprinted(unit, fingerprint))
    return kept


def _slices(array: np.ndarray) -> tuple[tuple[int, int], ...]:
    return tuple((int(start), int(end)) for start, end in zip(*array, strict=True)) if len(array) else ()


def _fragment(u: Fingerprinted, v: Fingerprinted) -> Fragment | None:
    """copydetect's comparison of two units, or None when they share nothing."""
    tokens, (left, right), (left_slices, right_slices) = _copydetect().compare_files(u.fingerprint, v.fingerprint)
    if not tokens:
        return None
    return Fragment(u.unit, v.unit, float(min(1.0, max(left, right))), _slices(left_slices), _slices(right_slices))


def compare_pair(a: Submission, b: Submission) -> Pair:
    """The fragments ``a`` and ``b`` share and the pair's score."""
    fragments = []
    for kind in ("code", "text"):
        others = b.hashes(kind)
        for u in (u for u in a.scored if u.unit.kind == kind and u.hashes & others):
            for v in (v for v in b.scored if v.unit.kind == kind):
                common = len(u.hashes & v.hashes)
                if common and common >= PREFILTER * min(len(u.hashes), len(v.hashes)):
                    fragment = _fragment(u, v)
                    if fragment is not None:
                        fragments.append(fragment)
    fragments.sort(key=lambda f: -f.similarity)
    score = fragments[0].similarity if fragments else 0.0
    shares = {}
    for kind in ("code", "text"):
        left, right = a.hashes(kind), b.hashes(kind)
        shares[kind] = len(left & right) / min(len(left), len(right)) if left and right else 0.0
    shown = [f for i, f in enumerate(fragments) if i == 0 or f.similarity >= SHOWN]
    return Pair(a, b, score, shares, shown)


def common_hashes(submissions: list[Submission]) -> dict[str, set]:
    """Fingerprints found in more than ``max(COMMON_MIN, COMMON_SHARE x n)`` of the batch's ``n`` distinct files,
    by kind: what much of the class writes alike (a prescribed architecture, a forced one-line answer), as MOSS's
    ``-m`` option leaves out passages found in too many documents."""
    batch = list({s.digest or id(s): s for s in submissions if not s.external}.values())  # a file counts once
    limit = max(COMMON_MIN, COMMON_SHARE * len(batch))
    found = {}
    for kind in ("code", "text"):
        counts = Counter(h for s in batch for h in s.hashes(kind))
        found[kind] = {h for h, n in counts.items() if n > limit}
    return found


def _clusters(pairs: list[Pair], threshold: float) -> list[list[str]]:
    """Groups of three or more submissions linked by flagged pairs (connected components)."""
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        while parent.setdefault(name, name) != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for pair in pairs:
        if pair.score >= threshold:
            parent[root(pair.left.name)] = root(pair.right.name)
    groups: dict[str, list[str]] = {}
    for name in parent:
        groups.setdefault(root(name), []).append(name)
    return sorted((sorted(g) for g in groups.values() if len(g) >= 3), key=lambda g: (-len(g), g))


def _once_per_file(submissions: list[Submission], fingerprint: Callable[[Submission], None]) -> None:
    """``fingerprint`` each submission, once per file: those of one digest share the first one's fingerprints."""
    done: dict[str, Submission] = {}
    for submission in submissions:
        same = done.get(submission.digest) if submission.digest else None
        if same is None:
            fingerprint(submission)
            if submission.digest:
                done[submission.digest] = submission
        else:
            submission.scored, submission._hashes = same.scored, same._hashes


def compare(assignment: str, submissions: list[Submission], starter: Starter,
            threshold: float = THRESHOLD) -> Comparison:
    """Fingerprint the submissions without the starter code (:func:`boilerplate`) nor what most of the batch
    shares, then compare every pair of the batch and each submission with each external source."""
    started = time.monotonic()
    _once_per_file(submissions, lambda s: s.fingerprint(starter))
    common = common_hashes(submissions)
    if any(common.values()):
        extended = starter.extended(common)
        _once_per_file(submissions, lambda s: s.refingerprint(extended, common))
    pairs, memo = [], {}
    for i, a in enumerate(submissions):
        for b in submissions[i + 1:]:
            if a.external and b.external:
                continue
            left, right = (b, a) if a.external else (a, b)
            key = (left.digest, right.digest) if left.digest and right.digest else None
            if key is not None and key in memo:  # the same two files: the same fragments, under these names
                known = memo[key]
                pair = Pair(left, right, known.score, known.shares, known.fragments)
            else:
                pair = compare_pair(left, right)
                if key is not None:
                    memo[key] = pair
            if pair.score > 0 or any(pair.shares.values()):
                pairs.append(pair)
    pairs.sort(key=lambda p: (-p.score, -max(p.shares.values()), p.left.name, p.right.name))
    return Comparison(assignment, submissions, pairs, _clusters(pairs, threshold), threshold,
                      time.monotonic() - started, sum(len(c) for c in common.values()))
