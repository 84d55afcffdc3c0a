"""Athena cannot run here, so its SQL is parsed as Trino by sqlglot: every KPI, the view, the
journey execution queries. A syntax error, an unknown function shape or a wrong placeholder
count fails here instead of in AWS."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from engagement.analytics import service
from engagement.analytics.engines import inline
from engagement.analytics.kpis import KPIS
from engagement.analytics.schema import VIEW_COLUMNS, view_sql


def parse_trino(sql: str) -> exp.Expression:
    (tree,) = sqlglot.parse(sql, read="trino", error_level=sqlglot.ErrorLevel.RAISE)
    assert tree is not None
    return tree


@pytest.mark.parametrize(("scope", "name"), sorted(KPIS), ids=lambda v: v)
def test_every_kpi_parses_as_trino_with_its_parameters_inlined(scope: str, name: str) -> None:
    definition = KPIS[(scope, name)]
    parameters = ["app-1", "2026-11-01", "2026-11-30", 1, 2] + (["x"] if scope != "application" else [])
    assert definition.parameter_count == len(parameters)
    tree = parse_trino(inline(definition.sql, parameters))
    assert isinstance(tree, exp.Select)
    assert not list(tree.find_all(exp.Placeholder))
    tables = {t.name for t in tree.find_all(exp.Table)}
    assert "kpi_events" in tables


def test_the_athena_view_parses_and_reads_map_keys_with_element_at() -> None:
    tree = parse_trino(view_sql("athena"))
    names = [e.alias_or_name for e in tree.expressions]
    assert names == [name for name, _ in VIEW_COLUMNS]
    # attributes['missing'] raises in Trino; element_at returns NULL
    assert "attributes[" not in view_sql("athena") and "element_at(attributes, 'campaign_id')" in view_sql(
        "athena"
    )


def test_the_duckdb_view_differs_only_in_map_access() -> None:
    athena, duck = view_sql("athena"), view_sql("duckdb")
    normalised = athena.replace("metrics.price_in_millicents_usd", "metrics['price_in_millicents_usd']")
    import re

    normalised = re.sub(r"element_at\(attributes, '(\w+)'\)", r"attributes['\1']", normalised)
    assert normalised == duck


@pytest.mark.parametrize("sql", [service.JOURNEY_EXECUTION_SQL, service.JOURNEY_ACTIVITY_SQL])
def test_journey_execution_queries_parse_as_trino(sql: str) -> None:
    parse_trino(inline(sql, ["a"] * sql.count("?")))


def test_inline_quotes_and_escapes_strings() -> None:
    assert inline("SELECT ?, ?", ["it's", 5]) == "SELECT 'it''s', 5"
    with pytest.raises(ValueError, match="placeholders"):
        inline("SELECT ?", [])
    with pytest.raises(TypeError):
        inline("SELECT ?", [None])
