"""Benchmark: every KPI on DuckDB over 1,000,000 synthetic stream records.

For each of the 83 KPIs: time of its query (KpiService on DuckDB over Parquet, the format Firehose
writes in AWS) as a ratio to a plain DuckDB ``count(*)`` over the same files, and, for four KPIs
of different shapes, a pure-Python loop over the same records (JSON Lines, parsed line by line)
as a ratio to the KPI query. Each result is checked equal to the Python loop's. The files are
written once per run; times are the best of 3.
Run: python benchmarks/bench_analytics.py [--records N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "engagement"), str(ROOT)]

from engagement.analytics.engines import DuckDbEngine  # noqa: E402
from engagement.analytics.exporter import _to_parquet, partition_of  # noqa: E402
from engagement.analytics.kpis import KPIS  # noqa: E402
from engagement.analytics.service import KpiService  # noqa: E402
from engagement.analytics.synthetic import generate  # noqa: E402

APP = "bench-app"
START = datetime(2026, 11, 13, tzinfo=UTC)
END = datetime(2026, 11, 19, 23, 59, 59, tzinfo=UTC)


def best(run: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def write_files(records: int, root: Path) -> tuple[int, Path, Path]:
    """Stream synthetic records into root/jsonl and root/parquet (same partitions)."""
    handles: dict[Path, object] = {}
    written = 0
    for record in generate(records, application_id=APP, seed=1, campaigns=20, journeys=10):
        app, day = partition_of(record)
        path = root / "jsonl" / f"application_id={app}" / f"dt={day}" / "shard-0.jsonl"
        handle = handles.get(path)
        if handle is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = handles[path] = path.open("w")
        handle.write(json.dumps(record, separators=(",", ":")) + "\n")  # type: ignore[attr-defined]
        written += 1
        if written >= records:
            break
    for path, handle in handles.items():
        handle.close()  # type: ignore[attr-defined]
        target = root / "parquet" / path.relative_to(root / "jsonl")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
        _to_parquet(target)
    return written, root / "jsonl", root / "parquet"


def python_loop(jsonl: Path, kpi: str) -> dict:
    """The reference: read and parse every line, aggregate in plain Python."""
    start, end = START.timestamp() * 1000, END.timestamp() * 1000
    counts: dict = defaultdict(float)
    seen: dict = defaultdict(set)
    sms: dict = {}
    for path in sorted(jsonl.rglob("*.jsonl")):
        with path.open() as lines:
            for line in lines:
                r = json.loads(line)
                if not start <= r["event_timestamp"] <= end:
                    continue
                a, kind = r["attributes"], r["event_type"]
                transactional = "campaign_id" not in a and "journey_id" not in a
                if kpi == "txn-emails-sent-grouped-by-date" and transactional and kind == "_email.send":
                    counts[datetime.fromtimestamp(r["event_timestamp"] / 1000, UTC).date().isoformat()] += 1
                elif (
                    kpi == "unique-deliveries"
                    and "campaign_id" in a
                    and kind in ("_email.delivered", "_SMS.SUCCESS")
                ):
                    seen[None].add(r["client"]["client_id"])
                elif kpi == "clicks-grouped-by-campaign-activity" and a.get("campaign_id") == "campaign-1":
                    counts[a["campaign_activity_id"]] += kind == "_email.click"
                elif (
                    kpi == "txn-sms-total-price-grouped-by-country"
                    and transactional
                    and kind.startswith("_SMS.")
                ):
                    message = sms.setdefault(a["message_id"], [a.get("iso_country_code"), 0.0])
                    message[1] = max(message[1], r["metrics"].get("price_in_millicents_usd", 0.0))
    if kpi == "unique-deliveries":
        return {None: float(len(seen[None]))}
    if sms:
        for country, price in sms.values():
            counts[country] += price / 100000
    return dict(counts)


def call(service: KpiService, scope: str, name: str) -> dict:
    params = {"ApplicationId": APP, "KpiName": name, "StartTime": START, "EndTime": END}
    if scope == "campaign":
        body = service.get_campaign_date_range_kpi(CampaignId="campaign-1", **params)
    elif scope == "journey":
        body = service.get_journey_date_range_kpi(JourneyId="journey-1", **params)
    else:
        body = service.get_application_date_range_kpi(**params)
    rows = next(iter(body.values()))["KpiResult"]["Rows"]
    return {
        (r["GroupedBys"][0]["Value"] if r["GroupedBys"] else None): float(r["Values"][0]["Value"])
        for r in rows
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        count, jsonl, parquet = write_files(args.records, Path(directory))
        print(f"{count:,} records written as JSON Lines and Parquet in {time.perf_counter() - started:.1f} s")
        engine = DuckDbEngine(parquet)
        service = KpiService(engine, clock=lambda: END)
        count_s, rows = best(lambda: engine.query("SELECT count(*) FROM pinpoint_events", []))
        total = rows[0][0]  # type: ignore[index]
        print(f"reference: DuckDB count(*) over the Parquet files: {count_s * 1000:.1f} ms ({total:,} rows)")
        window = [APP, START.date().isoformat(), END.date().isoformat(), int(START.timestamp() * 1000)]
        window.append(int(END.timestamp() * 1000))
        scan = (
            "SELECT count(*) FROM kpi_events WHERE application_id = ? AND dt BETWEEN ? AND ? "
            "AND event_timestamp BETWEEN ? AND ? AND campaign_id IS NOT NULL"
        )
        scan_s, _ = best(lambda: engine.query(scan, window))
        print(f"second reference: count(*) of the rows a campaign KPI filters: {scan_s * 1000:.1f} ms")
        ratios = []
        for scope, name in sorted(KPIS):
            seconds, _ = best(lambda s=scope, n=name: call(service, s, n))
            ratios.append((seconds / count_s, scope, name, seconds))
        ratios.sort()
        median = statistics.median(r[0] for r in ratios)
        median_scan = statistics.median(r[3] for r in ratios) / scan_s
        slowest = ratios[-1]
        print(
            f"KPI query / count(*), {len(ratios)} KPIs: median {median:.1f}x "
            f"(vs the filtered count: {median_scan:.1f}x), "
            f"max {slowest[0]:.1f}x ({slowest[1]} {slowest[2]}, {slowest[3] * 1000:.0f} ms)"
        )
        print(f"  fastest: {ratios[0][1]} {ratios[0][2]} {ratios[0][3] * 1000:.0f} ms ({ratios[0][0]:.1f}x)")
        for ratio, scope, name, seconds in ratios[-5:]:
            print(f"  slowest: {scope:<11} {name:<50} {seconds * 1000:7.1f} ms  {ratio:5.1f}x count(*)")
        print("pure-Python loop over the same records (JSON Lines) / KPI query (Parquet); results equal:")
        json_service = KpiService(DuckDbEngine(jsonl), clock=lambda: END)
        for scope, name in (
            ("application", "txn-emails-sent-grouped-by-date"),
            ("application", "unique-deliveries"),
            ("campaign", "clicks-grouped-by-campaign-activity"),
            ("application", "txn-sms-total-price-grouped-by-country"),
        ):
            query_s, result = best(lambda s=scope, n=name: call(service, s, n))
            json_s, json_result = best(lambda s=scope, n=name: call(json_service, s, n), repeat=1)
            loop_s, expected = best(lambda n=name: python_loop(jsonl, n), repeat=1)
            same = result.keys() == expected.keys() and all(
                abs(result[k] - expected[k]) < 1e-6 for k in expected
            )
            if not same or result != json_result:
                print(f"  MISMATCH {name}: {result} vs {expected}")
                return 1
            print(
                f"  {name:<45} query {query_s * 1000:7.1f} ms (JSON Lines {json_s * 1000:7.1f} ms)  "
                f"Python loop {loop_s:6.2f} s = {loop_s / query_s:6.0f}x the query"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
