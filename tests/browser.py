"""A headless Chromium driven by Selenium, for the kit's browser tests (Debian's ``chromium`` and ``chromedriver``).

``./run.sh test`` installs the browser where it can (root on Debian); where none can be had, the
tests that need it are skipped with the reason (``BROWSER`` is then that reason).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def _browser() -> tuple[str, str] | str:
    """``(chromium, chromedriver)`` paths, or why the test cannot have them."""
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed (pip install -r requirements.txt)"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or next(
        (p for p in ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver") if os.access(p, os.X_OK)), None)
    if chromium is None or driver is None:
        missing = " and ".join(n for n, p in (("chromium", chromium), ("chromedriver", driver)) if p is None)
        return f"no {missing} found (Debian: apt-get install chromium chromium-driver; ./run.sh test does it as root)"
    return chromium, driver


#: ``(chromium, chromedriver)``, or why there are none (the browser tests are skipped, saying it).
BROWSER = _browser()


@contextmanager
def chromium(home: Path) -> Iterator[Any]:
    """A headless Chromium driven by Selenium; quit on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver_path = BROWSER
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                     "--lang=en-US", f"--user-data-dir={home / 'chromium'}"):
        options.add_argument(argument)
    # An explicit driver path: Selenium Manager, which would download one, is not used.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        yield driver
    finally:
        driver.quit()
