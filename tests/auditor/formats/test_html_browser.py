"""The HTML report in a real browser: headless Chromium loads it, we read the DOM it built and a screenshot.

CI must have Chromium (Debian package ``chromium``); when it is missing these tests fail, they never skip.
Set ``MLOPS_AUDIT_CHROMIUM`` to use another binary. Run only these with ``pytest -m browser``.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from mlops_audit.formats import render
from mlops_audit.report import Report

from tests.helpers.formats import FIXTURE_FILES, audit_fixture, fixture_report

pytestmark = pytest.mark.browser

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
]


def chromium() -> str:
    candidates = [os.environ.get("MLOPS_AUDIT_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")]
    candidates += [shutil.which("chromium-browser"), shutil.which("google-chrome")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        "headless Chromium is required for the browser tests and was not found at /usr/bin/chromium "
        "(install the Debian package: apt-get install -y chromium; or set MLOPS_AUDIT_CHROMIUM)",
        pytrace=False,
    )


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(tmp_path)}
    return subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def write_page(tmp_path: Path, reports: list[Report]) -> Path:
    page = tmp_path / "report.html"
    page.write_text(render("html", reports), encoding="utf-8")
    return page


@pytest.fixture
def page(make_repo: Callable[..., Path], tmp_path: Path) -> tuple[Path, Report]:
    report = audit_fixture(make_repo(FIXTURE_FILES, name="churn-model"))
    return write_page(tmp_path, [report]), report


def dump_dom(tmp_path: Path, page: Path) -> str:
    proc = run_chromium(tmp_path, "--virtual-time-budget=3000", "--dump-dom", page.as_uri())
    assert proc.returncode == 0 and "<html" in proc.stdout, f"chromium failed:\n{proc.stderr[-2000:]}"
    return proc.stdout


def test_dom_shows_score_and_one_bar_per_principle(page: tuple[Path, Report], tmp_path: Path) -> None:
    path, report = page
    dom = dump_dom(tmp_path, path)
    score = re.search(r'<div class="score" id="overall-score" data-score="(\d*)">(\d+|n/a)<', dom)
    assert score, "overall score not in the DOM"
    assert score.group(2) == str(report.score)
    bars = re.findall(r'<rect class="bar band-\w+" data-principle="([a-z_]+)"', dom)
    assert sorted(bars) == sorted(p.value for p in report.project.principles)
    assert f"Level {report.project.maturity.level}" in dom
    # the inline script ran: the filter bar was revealed and counted the rows
    rows = len(report.all_outcomes())
    assert re.search(r'<div class="filters" data-target="results">', dom), (
        "filters still hidden: JS did not run"
    )
    assert f"{rows} of {rows} shown" in dom


def test_dom_of_rich_report(tmp_path: Path) -> None:
    report = fixture_report(non_utf8=True)
    dom = dump_dom(tmp_path, write_page(tmp_path, [report]))
    bars = re.findall(r'<rect class="bar band-\w+" data-principle="([a-z_]+)"', dom)
    assert len(bars) == len(report.project.principles) >= 5
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom  # escaped text, not an element
    assert '"src/caf\\351.py' in dom


# ------------------------------------------------------------------------------------------ screenshot
def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and raw rows (filters undone) of an 8-bit RGB/RGBA PNG, with the standard library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = previous[x]
            c = previous[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line) if bpp == 3 else bytes(v for i, v in enumerate(line) if i % 4 != 3))
        previous = line
    return width, height, rows


def test_screenshot_is_not_blank(page: tuple[Path, Report], tmp_path: Path) -> None:
    path, _ = page
    shot = tmp_path / "shot.png"
    proc = run_chromium(
        tmp_path,
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        "--virtual-time-budget=3000",
        path.as_uri(),
    )
    assert proc.returncode == 0 and shot.is_file(), f"no screenshot:\n{proc.stderr[-2000:]}"
    width, height, rows = decode_png(shot.read_bytes())
    assert (width, height) == (1280, 2000)
    colours: set[bytes] = set()
    non_white = 0
    for row in rows[::4]:
        for x in range(0, len(row), 3 * 2):
            pixel = row[x : x + 3]
            colours.add(pixel)
            non_white += pixel != b"\xff\xff\xff"
    sampled = len(rows[::4]) * (width // 2)
    assert len(colours) > 50, f"only {len(colours)} distinct colours: the page looks blank"
    assert non_white > sampled * 0.2, "the screenshot is mostly white"
    # the score bars are drawn in the band colours: some strongly saturated pixels must exist
    saturated = sum(1 for c in colours if max(c) - min(c) > 100)
    assert saturated > 3, "no coloured chart bars in the screenshot"
    keep = os.environ.get("MLOPS_AUDIT_KEEP_SCREENSHOT")
    if keep:
        shutil.copyfile(shot, keep)
