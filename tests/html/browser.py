"""Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: JSON messages
ended by a NUL byte on file descriptors 3 and 4), with no package beyond the standard library: a page is
loaded from a file, what it logged as errors is collected, an expression is evaluated in it, and a full-page
screenshot is taken at a given width.

``python -m tests.html.browser DIR`` writes the built-in examples' screenshots (desktop and phone) into DIR.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from ..needs import IN_CI

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NEEDS_CHROMIUM = pytest.mark.skipif(
    not IN_CI and not os.path.exists(CHROMIUM),
    reason="Chromium is not installed on this developer machine (CI installs Debian's chromium and runs these)",
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)
TIMEOUT = 60.0


class Browser:
    """One Chromium process and one page in it; ``with Browser() as b: b.load(path)``."""

    def __init__(self) -> None:
        self.profile = tempfile.mkdtemp(prefix="sbp-chromium-")
        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()
        os.set_inheritable(to_browser, True)
        os.set_inheritable(from_browser, True)
        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),  # the fds the pipes are moved to (below) are kept in the child; the others closed
            preexec_fn=lambda: (os.dup2(to_browser, 3), os.dup2(from_browser, 4)),
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError):  # a browser already gone
            self._call("Browser.close")
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._write)
        os.close(self._read)
        shutil.rmtree(self.profile, ignore_errors=True)

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """A command to the page."""
        return self._call(method, params, self.session)

    def _call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply["result"])
            self.events.append(reply)

    def _receive(self) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise RuntimeError("Chromium did not answer")
            chunk = os.read(self._read, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return dict(json.loads(message))

    def load(self, path: Path, width: int = 1280, height: int = 900) -> None:
        """Open the file ``path`` in a viewport ``width`` pixels wide (a phone's, below 500, with touch)."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
        )
        self.events.clear()
        self.call("Page.navigate", {"url": path.resolve().as_uri()})
        deadline = time.monotonic() + TIMEOUT
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{path} did not load")
            self.events.append(self._receive())

    def errors(self) -> list[str]:
        """What the page reported as errors since it was loaded: exceptions, console.error, error log entries."""
        found = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(str(params["exceptionDetails"].get("text")))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(" ".join(str(a.get("value", a.get("description"))) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(str(params["entry"].get("text")))
        return found

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-like values only)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def screenshot(self, out: Path, whole: bool = False) -> None:
        """What the viewport shows as a PNG; ``whole``: the whole page, as tall as its content."""
        data = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": whole})["data"]
        out.write_bytes(base64.b64decode(data))


def main(folder: str) -> None:  # pragma: no cover - the docs' screenshots, made by hand
    from .pages import ALL_PAGES, all_page, example_pages, verdict_pages

    out = Path(folder)
    with tempfile.TemporaryDirectory() as tmp, Browser() as browser:
        pages = example_pages(Path(tmp)) | verdict_pages(Path(tmp))
        pages |= {f"{name}-all": all_page(name, Path(tmp)) for name in ALL_PAGES[:1]}
        for name, page in pages.items():
            for label, width, height in (("desktop", 1100, 900), ("phone", 390, 844)):
                browser.load(page, width, height)
                browser.screenshot(out / f"html-{name}-{label}.png")


if __name__ == "__main__":  # pragma: no cover
    import sys

    main(sys.argv[1])
