"""Template engine benchmark: ours vs handlebars.js (and pybars3 for reference).

Run from the repository root: ``python benchmarks/bench_templating.py``. Prints per-goal
PASS/FAIL; always exits 0 (it is a report). Needs ``npm ci`` for the handlebars.js side.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "layers" / "engagement"))

RENDERS = 20000
COMPILES = 300
GOAL_RENDER_RATIO = 5.0
GOAL_COMPILE_RATIO = 1.0
GOAL_IMPORT_MS = 50.0

ENDPOINT: dict[str, Any] = {
    "Id": "ep-7f3a",
    "Address": "ana.ng@example.com",
    "ChannelType": "EMAIL",
    "OptOut": "NONE",
    "User": {
        "UserId": "user-42",
        "UserAttributes": {"FirstName": ["Ana"], "Last Name": ["Ng"], "Interests": ["hiking", "jazz", "tea"]},
    },
    "Attributes": {
        "Plan": ["Gold"],
        "Coupon": [],
        "Cart": [
            {"name": "Green tea", "price": 3.5, "qty": 2, "onSale": True},
            {"name": "Cake <3", "price": 4.0, "qty": 1, "onSale": False},
            {"name": "Jam & honey", "price": 2.25, "qty": 3, "onSale": True},
            {"name": "Scones", "price": 5.1, "qty": 1, "onSale": False},
        ],
    },
    "Location": {"City": "Zürich", "Country": "CH", "PostalCode": "8001"},
    "Demographic": {"Locale": "de_CH", "Platform": "ios", "Timezone": "Europe/Zurich"},
    "Metrics": {"age": 34.0, "points": 1280, "balance": -12.5},
}

_ROW = """
      {{#each Attributes.Cart}}
      <tr class="{{#if @first}}first{{/if}}{{#if @last}} last{{/if}}">
        <td class="name">{{name}}{{#if onSale}} <span class="sale">SALE</span>{{/if}}</td>
        <td class="qty">{{qty}}</td>
        <td class="price">{{price}} CHF</td>
      </tr>
      {{else}}
      <tr><td colspan="3">Your cart is empty.</td></tr>
      {{/each}}"""

EMAIL = (
    """<!DOCTYPE html>
<html lang="{{Demographic.Locale}}">
<head>
  <meta charset="utf-8">
  <title>Your {{Attributes.Plan}} member update</title>
  <style>
    body { font-family: Helvetica, Arial, sans-serif; color: #222; background: #f6f6f6; }
    .card { background: #fff; border-radius: 8px; padding: 24px; margin: 16px auto; max-width: 600px; }
    table { width: 100%; border-collapse: collapse; } td { padding: 6px 8px; border-bottom: 1px solid #eee; }
    .sale { color: #c00; font-weight: bold; } .footer { font-size: 12px; color: #888; }
  </style>
</head>
<body>
  <div class="card">
    <h1>Hello {{#if User.UserAttributes.FirstName}}{{User.UserAttributes.FirstName}}{{else}}there{{/if}},</h1>
    <p>Thanks for being a {{Attributes.Plan}} member in {{Location.City}}. You have
       {{Metrics.points}} points; your balance is {{Metrics.balance}} CHF.</p>
    {{#unless Attributes.Coupon}}
    <p>No coupon this month &mdash; check back soon.</p>
    {{/unless}}
    <table>"""
    + _ROW
    + """
    </table>
    <h2>Picked for you</h2>
    <ul>
      {{#each User.UserAttributes.Interests}}
      <li>More about {{this}} near {{@root.Location.City}}</li>
      {{/each}}
    </ul>
    <p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut
       labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco.</p>
    <h2>Recently viewed</h2>
    <table>"""
    + _ROW
    + """
    </table>
    <h2>Your account</h2>
    <table class="account">
      <tr><td>Member id</td><td>{{User.UserId}}</td></tr>
      <tr><td>Name</td><td>{{User.UserAttributes.FirstName}} {{User.UserAttributes.[Last Name]}}</td></tr>
      <tr><td>Age</td><td>{{Metrics.age}}</td></tr>
      <tr><td>Platform</td><td>{{Demographic.Platform}} ({{Demographic.Timezone}})</td></tr>
      {{#unless Attributes.Coupon}}<tr><td>Coupon</td><td>none</td></tr>{{/unless}}
    </table>
    <p>Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium doloremque laudantium,
       totam rem aperiam, eaque ipsa quae ab illo inventore veritatis et quasi architecto beatae vitae.</p>
    {{#with Location}}
    <p class="where">Shipping to {{PostalCode}} {{City}}, {{Country}}</p>
    {{/with}}
  </div>
  <div class="footer">
    <p>Sent to {{Address}} ({{ChannelType}}).
    {{#if OptOut}}<a href="https://example.com/u?id={{Id}}&amp;u={{User.UserId}}">Unsubscribe</a>{{/if}}</p>
    <p>Example AG, Bahnhofstrasse 1, 8001 Zürich. Duis aute irure dolor in reprehenderit in voluptate velit
       esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident.</p>
  </div>
</body>
</html>
"""
)

SMS = (
    "Hi {{User.UserAttributes.FirstName}}, your {{Attributes.Plan}} plan has {{Metrics.points}} points."
    "{{#if Attributes.Coupon}} Code: {{Attributes.Coupon}}{{/if}} Reply STOP to opt out."
)
TEMPLATES = {"email": EMAIL, "sms": SMS}


def _per_call_us(n: int, fn, repeats: int = 5) -> float:
    """Best of ``repeats`` batches (as bench_templating.js does): the machine is shared."""
    batch = max(1, n // repeats)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(batch):
            fn()
        best = min(best, (time.perf_counter() - start) / batch * 1e6)
    return best


def bench_ours() -> dict[str, dict[str, Any]]:
    from engagement.templating import compile_template

    compile_template("warm {{x}}").render({})  # load the engine and default helpers once
    results = {}
    for name, source in TEMPLATES.items():
        template = compile_template(source)
        output = template.render(ENDPOINT)
        _per_call_us(500, lambda t=template: t.render(ENDPOINT))
        results[name] = {
            "render_us": _per_call_us(RENDERS, lambda t=template: t.render(ENDPOINT)),
            "compile_first_render_us": _per_call_us(
                COMPILES, lambda s=source: compile_template(s).render(ENDPOINT)
            ),
            "output": output,
        }
    return results


def bench_pybars() -> dict[str, dict[str, float]] | None:
    try:
        import pybars
    except ImportError:
        return None
    compiler = pybars.Compiler()
    results = {}
    for name, source in TEMPLATES.items():
        template = compiler.compile(source)
        results[name] = {
            "render_us": _per_call_us(RENDERS // 10, lambda t=template: t(ENDPOINT)),
            "compile_first_render_us": _per_call_us(
                max(COMPILES // 10, 5), lambda s=source: compiler.compile(s)(ENDPOINT)
            ),
        }
    return results


def bench_node() -> dict[str, dict[str, Any]] | None:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "handlebars").exists():
        print("handlebars.js not available (install Node and run `npm ci`): ratios skipped")
        return None
    payload = {"templates": TEMPLATES, "context": ENDPOINT, "renders": RENDERS, "compiles": COMPILES}
    proc = subprocess.run(
        [node, str(ROOT / "benchmarks" / "bench_templating.js")],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


def import_ms(runs: int = 7) -> float:
    """Median cumulative ``-X importtime`` of ``engagement.templating`` in fresh interpreters."""
    path = str(ROOT / "layers" / "engagement")
    code = f"import sys; sys.path.insert(0, {path!r}); import engagement.templating"
    times = []
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True
        )
        total = 0
        for line in proc.stderr.splitlines():
            fields = line.split("|")
            # the un-indented entry is cumulative: it includes everything the import pulled in
            if len(fields) == 3 and fields[2][1:].startswith("engagement"):
                total += int(fields[1])
        times.append(total / 1000)
    return sorted(times)[len(times) // 2]


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    ours = bench_ours()
    node = bench_node()
    pybars = bench_pybars()
    print(f"templates: email {len(EMAIL)} chars, sms {len(SMS)} chars")
    for name in TEMPLATES:
        mine = ours[name]
        print(f"\n[{name}]")
        print(
            f"  ours:          render {mine['render_us']:9.1f} us   compile+first render "
            f"{mine['compile_first_render_us']:9.1f} us"
        )
        if pybars:
            ref = pybars[name]
            print(
                f"  pybars3:       render {ref['render_us']:9.1f} us   compile+first render "
                f"{ref['compile_first_render_us']:9.1f} us"
            )
        if node:
            ref = node[name]
            print(
                f"  handlebars.js: render {ref['render_us']:9.1f} us   compile+first render "
                f"{ref['compile_first_render_us']:9.1f} us"
            )
            same = "identical" if ref["output"] == mine["output"] else "DIFFERENT"
            render_ratio = mine["render_us"] / ref["render_us"]
            compile_ratio = mine["compile_first_render_us"] / ref["compile_first_render_us"]
            print(f"  output vs handlebars.js: {same}")
            print(
                f"  (a) render ratio ours/handlebars.js {render_ratio:5.2f}x (goal <= {GOAL_RENDER_RATIO}x) "
                f"{_verdict(render_ratio <= GOAL_RENDER_RATIO)}"
            )
            print(
                f"  (b) compile+first render ratio {compile_ratio:5.2f}x (goal <= {GOAL_COMPILE_RATIO}x) "
                f"{_verdict(compile_ratio <= GOAL_COMPILE_RATIO)}"
            )
    ms = import_ms()
    print(
        f"\n(c) import engagement.templating: {ms:.1f} ms (goal <= {GOAL_IMPORT_MS} ms) "
        f"{_verdict(ms <= GOAL_IMPORT_MS)}"
    )


if __name__ == "__main__":
    main()
