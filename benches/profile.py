#!/usr/bin/env python3
"""Where socialgate's CPU goes while it answers the queries of `versus.py`.

    python3 benches/profile.py [--binary PATH] [--reuse] [--seconds 4] [--write]

Seeds (or, with `--reuse`, keeps) the database of `versus.py`, starts `socialgate
serve` on it as that script does (release binary, TLS off, jobs and tenant limits
off), and for each query loads the server with `wrk` at 32 connections while `perf
record` samples it with call stacks (DWARF unwinding, 400 Hz). Each sample is put in
one bucket: walking its stack from the innermost frame outwards, the first frame
that names a part of the request (row decoding, the database driver, parsing and
validation, field resolution, serialization, authentication, HTTP) decides; samples
with none of them count as the runtime and the kernel (scheduling, waking, sockets
outside the driver). Prints a Markdown table of the shares with the CPU time per
request; `--write` puts it in BENCHMARKS.md between the `profile:begin` and
`profile:end` markers.

Needs `perf` (Debian: linux-perf) with permission to sample another process
(`kernel.perf_event_paranoid` at most 1, or root), and `wrk`.
"""

import argparse
import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import versus  # noqa: E402  (the same database, servers and helpers)

# (bucket, patterns): walking from the innermost frame out, the first frame that
# contains a pattern decides the bucket (for one frame, the first bucket listed wins).
# Allocation and freeing are innermost, so the allocator's bucket takes them whoever
# called it.
BUCKETS = [
    ("rows decoded into models (SeaORM, sqlx types)", ["FromQueryResult", "TryGetable", "sqlx_postgres::types", "sqlx_core::row::Row"]),
    ("statements built (SeaQuery, SeaORM)", ["sea_query::", "sea_orm::query", "sea_orm::executor::select", "QueryTrait"]),
    ("database driver and pool (sqlx: send, receive, ping on release)", ["sqlx_core::", "sqlx_postgres::"]),
    ("parse, budget and validation", ["async_graphql_parser::", "validation::", "graphql::limits", "graphql::cost", "parsed_query"]),
    ("answer serialized to JSON", ["serde_json::ser", "http::graphql::answer", "value_serde"]),
    ("token verified", ["jsonwebtoken::", "auth::jwt"]),
    ("fields resolved (async-graphql executor, resolvers, loaders)", ["async_graphql::", "socialgate::graphql::", "dataloader"]),
    ("HTTP (hyper, axum, tower, middleware)", ["hyper::", "axum::", "tower", "socialgate::http::", "httparse"]),
    ("allocator (mimalloc), for every caller", ["mi_", "_mi_"]),
]
RUNTIME = "runtime and kernel (scheduling, wake-ups, sockets)"


def samples(data):
    """Yields each sample's frames (symbol names), innermost first."""
    out = subprocess.run(["perf", "script", "-i", data, "-F", "ip,sym"], capture_output=True, text=True).stdout
    for block in out.split("\n\n"):
        frames = [re.sub(r"^\s*[0-9a-f]+\s+", "", line).strip() for line in block.splitlines() if line.strip()]
        if frames:
            yield frames


def bucket(frames):
    for frame in frames:
        for name, patterns in BUCKETS:
            if any(p in frame for p in patterns):
                return name
    return RUNTIME


def profile(binary, pg, token, query, variables, seconds):
    port = versus.free_port()
    server = versus.start([binary, "serve"], versus.sg_env(pg, port))
    data = tempfile.NamedTemporaryFile(suffix=".perf", delete=False).name
    try:
        versus.wait_answering(port, versus.SG["c"], {}, token)
        body = {"query": versus.SG[query], "variables": variables}
        versus.wrk(port, body, token, 32, 2)  # warm-up
        wrk = subprocess.Popen(
            [sys.executable, "-c", "import sys, json; sys.path.insert(0, sys.argv[1]); import versus; "
             "print(json.dumps(versus.wrk(int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4], 32, int(sys.argv[5]))))",
             str(Path(__file__).resolve().parent), str(port), json.dumps(body), token, str(seconds + 2)],
            stdout=subprocess.PIPE, text=True, start_new_session=True,
        )
        try:
            time.sleep(1)
            before = versus.cpu_ticks([server.pid])
            subprocess.run(
                ["perf", "record", "-q", "-F", "400", "--call-graph", "dwarf,32768", "-p", str(server.pid),
                 "-o", data, "--", "sleep", str(seconds)],
                check=True, capture_output=True,
            )
            after = versus.cpu_ticks([server.pid])
            rps = json.loads(wrk.communicate()[0])[0]
        finally:
            if wrk.poll() is None:
                os.killpg(wrk.pid, signal.SIGKILL)
    except BaseException:
        Path(data).unlink(missing_ok=True)
        raise
    finally:
        versus.stop(server)
    counts = collections.Counter(bucket(frames) for frames in samples(data))
    os.unlink(data)
    cpu_ms = versus.spent(before, after) * 1000.0 / os.sysconf("SC_CLK_TCK")
    per_request = cpu_ms / (rps * seconds)
    return counts, per_request, rps


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", help="a socialgate binary (default: build the release one)")
    parser.add_argument("--pg", default="postgres@127.0.0.1:5432", help="user@host:port, trust auth")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument("--seconds", type=int, default=4, help="sampling time per query")
    parser.add_argument("--write", action="store_true", help="put the table in BENCHMARKS.md")
    args = parser.parse_args()
    for tool in ["perf", "wrk", "psql"]:
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is needed (Debian: linux-perf, wrk, postgresql-client)")
    pg = versus.pg_address(args.pg)
    binary = versus.release_binary(args.binary)
    seeded = versus.seeded_database(pg, binary, args.reuse)
    token, variables = versus.compared_caller(pg, binary, seeded)

    results = {}
    for q in "abc":
        results[q] = profile(binary, pg, token, q, variables[q], args.seconds)
        print(f"({q}) {results[q][2]:.0f} req/s, {results[q][1]:.3f} ms of server CPU per request", file=sys.stderr)

    commit = subprocess.run(["git", "-C", str(versus.ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    names = [name for name, _ in BUCKETS] + [RUNTIME]
    lines = [
        f"`python3 benches/profile.py --seconds {args.seconds}`, {time.strftime('%Y-%m-%d')}, commit {commit}, "
        f"load average before the run {os.getloadavg()[0]:.1f}. Share of the server's sampled CPU "
        "at 32 connections, and what that is per request:",
        "",
        "| where | " + " | ".join(f"({q})" for q in "abc") + " |",
        "|---|" + "---|" * 3,
    ]
    for name in names:
        cells = []
        for q in "abc":
            counts, per_request, _ = results[q]
            total = sum(counts.values()) or 1
            share = counts[name] / total
            cells.append(f"{share * 100:.0f} % ({share * per_request * 1000:.0f} µs)")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append(
        "| **server CPU per request** | "
        + " | ".join(f"**{results[q][1] * 1000:.0f} µs** ({results[q][2]:.0f} req/s)" for q in "abc")
        + " |"
    )
    report = "\n".join(lines)
    print(report)
    if args.write:
        versus.write_between("profile", report)


if __name__ == "__main__":
    main()
