"""Where the KPI SQL runs: Athena in AWS, DuckDB over local files. Same SQL text, same parameters.

Both engines take the query with ``?`` placeholders and a list of Python values and return rows
as tuples. Athena has no client-side parameter binding that keeps partition projection working,
so :class:`AthenaEngine` inlines the values as SQL literals (strings quoted and escaped, ints
printed); the KPI queries contain no other ``?``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from engagement.analytics.schema import DUCKDB_JSON_COLUMNS, TABLE, VIEW, view_sql
from engagement.models.errors import BadRequestException, InternalServerErrorException

Row = tuple[Any, ...]


class Engine(Protocol):
    def query(self, sql: str, parameters: Sequence[Any]) -> list[Row]: ...


def literal(value: Any) -> str:
    """A Trino SQL literal for a parameter value (str, int or float)."""
    if isinstance(value, bool) or value is None:
        raise TypeError(f"unsupported parameter {value!r}")
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def inline(sql: str, parameters: Sequence[Any]) -> str:
    pieces = sql.split("?")
    if len(pieces) - 1 != len(parameters):
        raise ValueError(f"query has {len(pieces) - 1} placeholders, got {len(parameters)} parameters")
    out = [pieces[0]]
    for value, piece in zip(parameters, pieces[1:], strict=True):
        out += [literal(value), piece]
    return "".join(out)


def sql_path(path: Path) -> str:
    """A path as a SQL string literal (a directory name may contain a quote)."""
    return literal(str(path))


class DuckDbEngine:
    """DuckDB embedded over ``root/application_id=*/dt=*/`` files: JSON Lines (``*.jsonl``,
    ``*.jsonl.gz``, what the stream carries) and/or Parquet (``*.parquet``, what Firehose writes)."""

    def __init__(self, root: str | Path):
        import duckdb

        self.root = Path(root)
        self.connection = duckdb.connect(":memory:")
        self._create_views()

    def _sources(self) -> list[str]:
        json_columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in DUCKDB_JSON_COLUMNS.items()) + "}"
        hive = "hive_partitioning = true, hive_types = {'application_id': VARCHAR, 'dt': VARCHAR}"
        sources = []
        if any(self.root.glob("*/*/*.jsonl*")):
            pattern = sql_path(self.root / "*" / "*" / "*.jsonl*")
            sources.append(
                f"SELECT * FROM read_json({pattern}, format = 'newline_delimited', "
                f"columns = {json_columns}, {hive})"
            )
        if any(self.root.glob("*/*/*.parquet")):
            pattern = sql_path(self.root / "*" / "*" / "*.parquet")
            sources.append(
                f"SELECT {', '.join(DUCKDB_JSON_COLUMNS)}, application_id, dt "
                f"FROM read_parquet({pattern}, {hive}, union_by_name = true)"
            )
        return sources

    def _create_views(self) -> None:
        sources = self._sources()
        if not sources:
            columns = ", ".join(f"NULL::{kind} AS {name}" for name, kind in DUCKDB_JSON_COLUMNS.items())
            sources = [f"SELECT {columns}, NULL::VARCHAR AS application_id, NULL::VARCHAR AS dt WHERE false"]
        self.connection.execute(f"CREATE OR REPLACE VIEW {TABLE} AS " + "\nUNION ALL BY NAME\n".join(sources))
        self.connection.execute(f"CREATE OR REPLACE VIEW {VIEW} AS {view_sql('duckdb')}")

    def refresh(self) -> None:
        """Pick up partitions written since the engine was built."""
        self._create_views()

    def query(self, sql: str, parameters: Sequence[Any]) -> list[Row]:
        return [tuple(row) for row in self.connection.execute(sql, list(parameters)).fetchall()]


@dataclass
class AthenaEngine:
    """Athena through boto3: StartQueryExecution in the workgroup, poll, page the results.

    A query that FAILED with a user error becomes ``BadRequestException``; anything else that did
    not succeed (cancelled, internal error, timeout) is ``InternalServerErrorException``.
    """

    client: Any
    workgroup: str
    database: str
    poll_s: float = 0.5
    timeout_s: float = 25.0
    sleep: Callable[[float], None] = time.sleep

    def query(self, sql: str, parameters: Sequence[Any]) -> list[Row]:
        started = self.client.start_query_execution(
            QueryString=inline(sql, parameters),
            QueryExecutionContext={"Database": self.database, "Catalog": "AwsDataCatalog"},
            WorkGroup=self.workgroup,
        )
        execution_id = started["QueryExecutionId"]
        self._wait(execution_id)
        return list(self._rows(execution_id))

    def _wait(self, execution_id: str) -> None:
        waited = 0.0
        while True:
            status = self.client.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"][
                "Status"
            ]
            state = status["State"]
            if state == "SUCCEEDED":
                return
            if state in ("FAILED", "CANCELLED"):
                reason = status.get("StateChangeReason", state)
                category = (status.get("AthenaError") or {}).get("ErrorCategory")
                error = BadRequestException if category == 2 else InternalServerErrorException  # 2 = USER
                raise error(f"Athena query {execution_id} {state}: {reason}", "GetDateRangeKpi")
            if waited >= self.timeout_s:
                self.client.stop_query_execution(QueryExecutionId=execution_id)
                raise InternalServerErrorException(
                    f"Athena query {execution_id} still {state} after {self.timeout_s:.0f} s",
                    "GetDateRangeKpi",
                )
            self.sleep(self.poll_s)
            waited += self.poll_s

    def _rows(self, execution_id: str):
        paginator = self.client.get_paginator("get_query_results")
        first = True
        for page in paginator.paginate(QueryExecutionId=execution_id):
            rows = page["ResultSet"]["Rows"]
            if first:  # the header row
                rows, first = rows[1:], False
            for row in rows:
                yield tuple(cell.get("VarCharValue") for cell in row["Data"])  # text; None = NULL
