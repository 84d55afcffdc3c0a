"""docs/analytics.md lists every KPI with its definition and its query, as the code has them."""

from __future__ import annotations

from pathlib import Path

from engagement.analytics.kpis import KPIS, markdown

DOC = Path(__file__).resolve().parents[3] / "docs" / "analytics.md"


def test_the_kpi_catalogue_in_the_docs_is_the_code() -> None:
    text = DOC.read_text()
    catalogue = text.split("<!-- KPIS:BEGIN -->\n", 1)[1].split("<!-- KPIS:END -->", 1)[0]
    assert catalogue == markdown(), "regenerate: python -c 'from engagement.analytics.kpis import markdown'"
    for scope, name in KPIS:
        assert f"#### `{name}` ({scope})" in catalogue
        assert KPIS[(scope, name)].sql in catalogue
