"""The event-stream table in Pinpoint's schema, and the one flat view every KPI reads.

``pinpoint_events`` is the Glue table AWS's own recipe used (reference pinpoint.md §2.2), stored
as ``application_id=<app>/dt=<YYYY-MM-DD>/`` partitions (``dt`` = UTC day of ``event_timestamp``).
``kpi_events`` flattens the fields the KPIs need into plain columns. Its definition lives here
once and is rendered per engine: Athena (Trino) reads a missing map key with ``element_at``
(``map['k']`` raises there), DuckDB with ``map['k']``; ``metrics`` is a struct in Glue and a map
in DuckDB's JSON reader. Everything else is the same text.
"""

from __future__ import annotations

from typing import Literal

Engine = Literal["athena", "duckdb"]

TABLE = "pinpoint_events"
VIEW = "kpi_events"
PARTITION_KEYS = (("application_id", "string"), ("dt", "string"))

# Glue/Hive types of pinpoint_events (DUE-DB all_events, reference pinpoint.md §2.2).
MAIL_TYPE = (
    "struct<message_id:string,message_send_timestamp:bigint,from_address:string,"
    "destination:array<string>,headers_truncated:boolean,headers:array<map<string,string>>,"
    "common_headers:struct<from:string,to:array<string>,subject:string>>"
)
MAIL_EVENT_TYPE = (
    f"struct<mail:{MAIL_TYPE},send:map<string,string>,"
    "delivery:struct<smtp_response:string,reporting_mta:string,recipients:array<string>,"
    "processing_time_millis:int>,"
    "open:struct<ip_address:string,user_agent:string>,"
    "click:struct<ip_address:string,user_agent:string,link:string,"
    "link_tags:struct<unsubscribeLinkTag:array<string>>>,"
    "reject:struct<reason:string>,"
    "complaint:struct<complained_recipients:array<struct<email_address:string>>,feedback_id:string,"
    "user_agent:string,complaint_feedback_type:string>,"
    "bounce:struct<bounce_type:string,bounce_sub_type:string,"
    "bounced_recipients:array<struct<email_address:string,action:string,status:string,"
    "diagnostic_code:string>>,feedback_id:string,reporting_mta:string>>"
)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_type", "string"),
    ("event_timestamp", "bigint"),
    ("arrival_timestamp", "bigint"),
    ("event_version", "string"),
    ("application", "struct<app_id:string,sdk:map<string,string>>"),
    ("client", "struct<client_id:string,cognito_id:string>"),
    ("device", "struct<platform:map<string,string>>"),
    ("session", "map<string,string>"),
    ("attributes", "map<string,string>"),
    ("metrics", "struct<price_in_millicents_usd:double>"),
    ("client_context", "struct<custom:map<string,string>>"),
    ("facets", f"struct<email_channel:struct<mail_event:{MAIL_EVENT_TYPE}>>"),
    ("awsaccountid", "string"),
)

# DuckDB's JSON reader needs only the fields the view reads; unknown keys are ignored.
DUCKDB_JSON_COLUMNS = {
    "event_type": "VARCHAR",
    "event_timestamp": "BIGINT",
    "application": "STRUCT(app_id VARCHAR)",
    "client": "STRUCT(client_id VARCHAR)",
    "attributes": "MAP(VARCHAR, VARCHAR)",
    "metrics": "MAP(VARCHAR, DOUBLE)",
    "facets": "STRUCT(email_channel STRUCT(mail_event STRUCT(mail STRUCT(message_id VARCHAR))))",
}

ATTRIBUTE_COLUMNS = (
    "campaign_id",
    "campaign_activity_id",
    "treatment_id",
    "journey_id",
    "journey_activity_id",
    "journey_run_id",
    "journey_activity_type",
    "delivery_type",
    "record_status",
    "iso_country_code",
)
# The view's columns, in order (documented in docs/analytics.md).
VIEW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("application_id", "varchar"),
    ("dt", "varchar"),
    ("event_type", "varchar"),
    ("event_timestamp", "bigint"),
    ("endpoint_id", "varchar"),
    *((name, "varchar") for name in ATTRIBUTE_COLUMNS),
    ("send_status", "varchar"),
    ("message_id", "varchar"),
    ("message_parts", "double"),
    ("price_millicents", "double"),
)


def _attribute(engine: Engine, key: str) -> str:
    return f"element_at(attributes, '{key}')" if engine == "athena" else f"attributes['{key}']"


def view_sql(engine: Engine) -> str:
    """``SELECT`` of the ``kpi_events`` view over ``pinpoint_events`` for one engine."""
    attr = lambda key: _attribute(engine, key)  # noqa: E731 - reads as the column list below
    price = "metrics.price_in_millicents_usd" if engine == "athena" else "metrics['price_in_millicents_usd']"
    columns = [
        "application_id",
        "CAST(dt AS varchar) AS dt",
        "event_type",
        "event_timestamp",
        "client.client_id AS endpoint_id",
        *(f"{attr(name)} AS {name}" for name in ATTRIBUTE_COLUMNS),
        f"COALESCE({attr('campaign_send_status')}, {attr('journey_send_status')}) AS send_status",
        "COALESCE(facets.email_channel.mail_event.mail.message_id, "
        f"{attr('message_id')}, client.client_id || '@' || CAST(event_timestamp AS varchar)) AS message_id",
        f"TRY_CAST({attr('number_of_message_parts')} AS double) AS message_parts",
        f"{price} AS price_millicents",
    ]
    return "SELECT\n  " + ",\n  ".join(columns) + f"\nFROM {TABLE}"


def glue_columns() -> list[dict[str, str]]:
    """``StorageDescriptor.Columns`` of the Glue table (what template.yaml declares)."""
    return [{"Name": name, "Type": kind} for name, kind in COLUMNS]
