"""The sign-off sheet as a PDF, printed by Chromium from the same page the browser prints.

The page is written to a temporary folder (its stylesheet inline, its pictures as ``data:``
URIs) and Chromium prints it headless from that file, with every network route closed: a
proxy that goes nowhere and a resolver that resolves nothing, so the printer cannot fetch
anything even if a page asked. The paper size, margins, page header and page numbers come from
the stylesheet's ``@page`` rules (A4). Chromium is Debian's package (``service.chromium``);
without it the caller gets a clear message and can still print the page from the browser.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import Unavailable

TIMEOUT = 60  # seconds: a sheet prints in 1-3 s; a hung printer must not hold a worker
_QUIET = ["--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
          "--disable-extensions", "--disable-background-networking", "--disable-sync",
          "--disable-component-update", "--disable-default-apps", "--mute-audio",
          "--no-pdf-header-footer", "--proxy-server=127.0.0.1:9",
          "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost"]


def chromium_path(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        raise Unavailable("Chromium ({program}) is not installed on the server, so the sheet "
                          "cannot be made into a PDF here; print the page from the browser "
                          "(A4), or ask the administrator to install chromium",
                          field="pdf", program=program)
    return found


def print_pdf(html: str, program: str, timeout: float = TIMEOUT) -> bytes:
    """``html`` (a whole page needing nothing outside itself) printed to PDF by Chromium."""
    chromium = chromium_path(program)
    with tempfile.TemporaryDirectory(prefix="screener-pdf-") as folder:
        page, out = Path(folder) / "sheet.html", Path(folder) / "sheet.pdf"
        page.write_text(html, encoding="utf-8")
        args = [chromium, *_QUIET, f"--user-data-dir={folder}/profile",
                f"--crash-dumps-dir={folder}", f"--print-to-pdf={out}", page.as_uri()]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with it
        try:
            subprocess.run(args, capture_output=True, timeout=timeout, check=False,
                           env={**os.environ, "HOME": folder})
        except subprocess.TimeoutExpired:
            raise Unavailable("Chromium did not finish printing the sheet within {seconds} "
                              "seconds; try again, or print the page from the browser",
                              field="pdf", seconds=int(timeout)) from None
        if not out.is_file() or out.stat().st_size == 0:
            raise Unavailable("Chromium could not print the sheet; print the page from the "
                              "browser instead", field="pdf")
        return out.read_bytes()
