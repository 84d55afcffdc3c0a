"""Import 10,000 endpoints from CSV into the DynamoDB registry on moto's server.

    python benchmarks/bench_import.py [--rows 10000]

Prints rows/s, ``update_endpoints_batch`` calls (goal <= 100) and DynamoDB API calls, counted with
botocore event hooks, and the cost of ``import engagement`` in a fresh interpreter (goal < 20 ms).
moto's server runs in this process on loopback: absolute rows/s say little about real DynamoDB;
the call counts are what carry over.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "layers" / "engagement"))

BATCH_GOAL = 100
IMPORT_GOAL_MS = 20.0
TABLE = "BenchEndpoints"


def write_csv(path: Path, rows: int) -> None:
    """Realistic rows: 3 endpoints per user, every 50th e-mail address shared by two users."""
    header = ["Id", "ChannelType", "Address", "User.UserId", "User.UserAttributes.FirstName",
              "Attributes.Plan", "Location.Country", "Demographic.Platform", "Metrics.score",
              "OptOut"]  # fmt: skip
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for n in range(rows):
            user, kind = divmod(n, 3)
            channel, address = [
                ("EMAIL", f"user{user - (user % 50 == 1)}@example.com"),
                ("SMS", f"+1206{5550000 + n % 10000:07d}"[:12]),
                ("CUSTOM", f"device-{n:06d}"),
            ][kind]
            plan = ("gold", "silver", "trial")[user % 3]
            writer.writerow(
                [
                    f"ep-{n:06d}",
                    channel,
                    address,
                    f"user-{user}",
                    f"Name{user}",
                    plan,
                    "US",
                    "ios",
                    f"{n / 7:.6f}",
                    "NONE",
                ]
            )


def start_stack() -> tuple[object, str]:
    import logging
    import os

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://{host}:{port}", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
    )  # fmt: skip
    keys = [("pk", "sk"), ("gsi1pk", "gsi1sk"), ("gsi2pk", "gsi2sk")]
    index = [
        {"IndexName": name, "KeySchema": [{"AttributeName": h, "KeyType": "HASH"},
                                           {"AttributeName": r, "KeyType": "RANGE"}],
         "Projection": {"ProjectionType": "ALL"}}
        for name, (h, r) in zip(("ByUser", "ByAddress"), keys[1:], strict=True)
    ]  # fmt: skip
    boto3.client("dynamodb").create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"} for pair in keys for name in pair
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=index,
    )
    return server, f"dynamodb://{TABLE}"


def import_time_ms(runs: int = 5) -> float:
    """Best of ``runs`` fresh interpreters importing ``engagement`` (boto3 must stay unloaded)."""
    code = (
        "import sys, time; t = time.perf_counter(); import engagement; d = time.perf_counter() - t; "
        "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules; print(d * 1000)"
    )
    env = {"PYTHONPATH": str(ROOT / "layers" / "engagement"), "PATH": "/usr/bin:/bin"}
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args(argv)

    from engagement.endpoints import build_registry
    from engagement.endpoints.transfer import Importer, read_rows

    server, store = start_stack()
    try:
        registry = build_registry(store)
        dynamodb_calls: Counter[str] = Counter()
        seconds: Counter[str] = Counter()
        started_at: dict[str, float] = {}

        def before(model: object, **_: object) -> None:
            dynamodb_calls.update([model.name])
            started_at[model.name] = time.perf_counter()

        def after(model: object, **_: object) -> None:
            seconds[model.name] += time.perf_counter() - started_at.pop(model.name)

        registry._client.meta.events.register("before-call.dynamodb.*", before)
        registry._client.meta.events.register("after-call.dynamodb.*", after)
        with tempfile.TemporaryDirectory() as directory:
            source = Path(directory) / "endpoints.csv"
            write_csv(source, args.rows)
            importer = Importer(registry, "bench-app", lambda number, message: print(number, message))
            started = time.perf_counter()
            with source.open(newline="") as stream:
                report = importer.run(read_rows(stream, "csv"))
            elapsed = time.perf_counter() - started
    finally:
        server.stop()

    import_ms = import_time_ms()
    batches_ok = report.batch_calls <= BATCH_GOAL * args.rows / 10_000
    print(f"rows: {report.summary()}")
    print(f"import: {elapsed:.2f} s, {report.rows_read / elapsed:,.0f} rows/s (moto server on loopback)")
    verdict = {True: "PASS", False: "FAIL"}
    print(f"update_endpoints_batch calls: {report.batch_calls} (goal <= {BATCH_GOAL}) {verdict[batches_ok]}")
    per_batch = sum(dynamodb_calls.values()) / max(report.batch_calls, 1)
    print(
        f"DynamoDB calls: {sum(dynamodb_calls.values())} ({per_batch:.1f} per batch): {dict(dynamodb_calls)}"
    )
    print("seconds in each DynamoDB operation: " + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))
    print("  (moto deep-copies the whole table for every action of a TransactWriteItems; DynamoDB does not)")
    import_ok = import_ms < IMPORT_GOAL_MS
    print(f"import engagement: {import_ms:.2f} ms (goal < {IMPORT_GOAL_MS:.0f} ms) {verdict[import_ok]}")
    return 0 if batches_ok and import_ok and report.failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
