"""The KPI report in a real browser: headless Chromium loads the self-contained page from disk
(no network), logs no console errors, renders all four charts, and the screenshot shows them."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from engagement.analytics.engines import DuckDbEngine
from engagement.analytics.exporter import write_partitions
from engagement.analytics.report import write_report
from engagement.analytics.service import KpiService
from engagement.analytics.synthetic import generate
from tests.browser.png import colour_counts

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
PAGE = "--window-size=1280,1600"
TOP = "--window-size=640,520"  # one column: the title and the funnel chart, cheap to decode
FUNNEL_COLOURS = {
    (78, 121, 167),
    (89, 161, 79),
    (242, 142, 43),
    (225, 87, 89),
}  # sent, delivered, opened, clicked
CONSOLE_ERROR = re.compile(r"CONSOLE.*(Uncaught|Error|error)|:ERROR:CONSOLE")


def run(chromium: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    command = [
        chromium,
        *FLAGS,
        "--enable-logging=stderr",
        "--v=0",
        f"--user-data-dir={cwd / 'profile'}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, cwd=cwd)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "CONSOLE" in line and CONSOLE_ERROR.search(line)]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    lines = [("shard-0", json.dumps(record).encode()) for record in generate(400, application_id="app-1")]
    write_partitions(lines, root / "events")
    service = KpiService(DuckDbEngine(root / "events"))
    return write_report(service, "app-1", date(2026, 11, 13), date(2026, 11, 19), root / "report.html")


def test_the_page_loads_without_console_errors_and_renders_every_chart(chromium: str, report: Path) -> None:
    loaded = run(chromium, PAGE, "--dump-dom", report.as_uri(), cwd=report.parent)
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert console_errors(loaded.stderr) == []
    assert 'data-charts-rendered="4"' in loaded.stdout


def test_the_screenshot_shows_the_charts(chromium: str, report: Path) -> None:
    shot = report.parent / "report.png"
    taken = run(chromium, TOP, f"--screenshot={shot}", report.as_uri(), cwd=report.parent)
    assert taken.returncode == 0 and shot.exists(), taken.stderr[-2000:]
    colours = colour_counts(shot.read_bytes())
    white = colours[(255, 255, 255)]
    assert white < 0.97 * sum(colours.values())  # not a blank page
    for colour in FUNNEL_COLOURS:  # each funnel bar is drawn (a bar covers thousands of pixels)
        assert colours[colour] > 500, colour


def test_the_page_needs_no_network(report: Path) -> None:
    page = report.read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "Chart.register" in page or "Chart" in page


def test_console_error_detection_catches_a_broken_page(chromium: str, tmp_path: Path) -> None:
    """The check above can fail: a page that throws is caught."""
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>")
    loaded = run(chromium, PAGE, "--dump-dom", broken.as_uri(), cwd=tmp_path)
    assert console_errors(loaded.stderr), loaded.stderr[-2000:]
