#!/usr/bin/env bash
# The kit's two commands (see README.md):
#   ./run.sh        set up (virtual environment, datasets) and grade the bundled example submissions
#   ./run.sh test   set up, then run the whole test suite
# and the documentation site's:
#   ./run.sh docs   install requirements.txt, then build the site in strict mode into site/ (or $DLKIT_SITE)
set -euo pipefail
cd "$(dirname "$0")"
VENV=${DLKIT_VENV:-.venv}

# bubblewrap confines the student's code while it is graded (autograder/grading/bwrap.py); install Debian's
# where we can (CI runs as root on Debian). Without it, grading refuses unless --accept-weak-isolation.
install_bubblewrap() {
  if command -v bwrap >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends bubblewrap; } >/dev/null 2>&1 \
      || echo "could not install bubblewrap: grading will refuse untrusted work (see README)" >&2
  else
    echo "bubblewrap (bwrap) is missing: install it (apt install bubblewrap) to grade untrusted work" >&2
  fi
}

setup() {
  install_bubblewrap
  install_python
  "$VENV/bin/python" -m autograder data prepare
}

# The virtual environment, requirements.txt and the kit itself (editable).
install_python() {
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  # Reinstall only when requirements.txt changed since the last successful install.
  stamp="$VENV/.requirements.sha256"
  if [ ! -f "$stamp" ] || ! sha256sum --quiet -c "$stamp" 2>/dev/null; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt 2>&1 \
      | grep -v "is ignored: it is neither a file nor a directory" || true
    "$VENV/bin/python" -c "import torch, torchvision, tensorflow, keras, sklearn, nbgrader" \
      || { echo "installation failed" >&2; exit 1; }
    sha256sum requirements.txt > "$stamp"
  fi
  # The kit itself, so that `autograder` and `import autograder` work from any folder (Jupyter too).
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . \
    2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
}

# tests/test_jupyterlab.py drives a headless Chromium: install Debian's where we can (CI runs as root on
# Debian). Quietly, and never failing the run: without a browser that test is skipped, saying why.
install_browser() {
  if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends chromium chromium-driver; } >/dev/null 2>&1 \
      || echo "could not install chromium and chromium-driver: the JupyterLab test will be skipped" >&2
  fi
}

case "${1:-demo}" in
  demo)
    setup
    "$VENV/bin/python" -m autograder demo
    ;;
  test)
    setup
    install_browser
    "$VENV/bin/python" -m ruff check autograder tests benchmarks
    "$VENV/bin/python" -m pytest -q -rs -n "${DLKIT_TEST_WORKERS:-2}" --dist loadgroup tests
    ;;
  docs)
    # The command reference is generated from the CLI's parser at build time (docs/hooks/cli_reference.py);
    # --strict fails on a broken link or anchor and on a page missing from mkdocs.yml's navigation.
    install_python
    "$VENV/bin/python" -m mkdocs build --strict --site-dir "${DLKIT_SITE:-site}"
    ;;
  *)
    echo "usage: $0 [demo|test|docs]" >&2
    exit 2
    ;;
esac
