#!/usr/bin/env python3
"""socialgate against PostGraphile 4 on the same PostgreSQL data, side by side.

    python3 benches/versus.py [--seconds 10] [--rounds 2] [--write]

What it does, in order:

1. Builds the release binary (unless `--binary` names one), creates the database
   `socialgate_versus` afresh on the local PostgreSQL (`--pg`, TLS off) and seeds it
   with `socialgate seed --tenants 100 --users-per-tenant 50`.
2. Installs PostGraphile 4 from npm into `benches/postgraphile/` (pinned there; never
   part of the build) and starts it with two cluster workers on socialgate's own
   tables, beside `socialgate serve` (jobs off, tenant limits off).
3. Checks that both servers give the same answer (same integrations, same notes) to
   each query, as the compliance officer of the largest tenant:
   (a) one integration with its notes and their authors;
   (b) 50 integrations with owner, notes and their authors;
   (c) live integrations counted by status.
   PostGraphile is given the same tenant filter (a `condition`), ordering and live
   filter, since it has no notion of the caller.
4. Runs each query with `wrk` at 32 connections and at 1, alternating servers each
   round, and reads the CPU time each server and PostgreSQL spent (from /proc).
5. Counts PostgreSQL round trips per request (query messages the server's sockets to
   PostgreSQL sent, from `ss`, over 200 sequential requests).
6. Captures the statements socialgate sends for (b) (statement logging on the
   database for one request) and runs them with `pgbench` at 32 clients: the ceiling
   of (b) if socialgate itself cost nothing.
7. Times a cold start (process start to a first answered query) with and without TLS
   to PostgreSQL.

Prints a Markdown report; `--write` also puts it in BENCHMARKS.md between the
`versus:begin` and `versus:end` markers.
"""
import argparse
import base64
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_DIR = ROOT / "benches" / "postgraphile"
DB = "socialgate_versus"
SECRET = secrets.token_hex(32)
TOKEN_KEYS = "bench:" + base64.b64encode(secrets.token_bytes(32)).decode()
STATUSES = ["PENDING", "ACTIVE", "EXPIRED", "INVALID", "REJECTED"]

SG = {
    "a": (
        "query($id: ID!) { integration(id: $id) { id status "
        "complianceNotes { body author { id } } } }"
    ),
    "b": (
        "{ integrations(first: 50) { edges { node { id status owner { id } "
        "complianceNotes { body author { id } } } } } }"
    ),
    "c": "{ integrationCounts { status count } }",
}

NOTES = (
    "complianceNotesByIntegrationId(condition: {tenantId: $t}, orderBy: [CREATED_AT_ASC, ID_ASC]) "
    "{ nodes { body userByAuthorId { id } } }"
)
PG4 = {
    "a": (
        "query($t: UUID!, $id: UUID!) { allIntegrations(condition: {tenantId: $t, id: $id}) "
        "{ nodes { id status " + NOTES + " } } }"
    ),
    "b": (
        "query($t: UUID!) { allIntegrations(first: 50, condition: {tenantId: $t, disconnectedAt: null}, "
        "orderBy: [ID_ASC]) { nodes { id status userByOwnerId { id } "
        + NOTES
        + " } } }"
    ),
    "c": "query($t: UUID!) { "
    + " ".join(
        f"{s.lower()}: allIntegrations(condition: {{tenantId: $t, status: \"{s.lower()}\", "
        "disconnectedAt: null}) { totalCount }"
        for s in STATUSES
    )
    + " }",
}


def sh(*args, env=None, capture=True, check=True):
    done = subprocess.run(args, env=env, capture_output=capture, text=True)
    if check and done.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def psql(pg, sql, db="postgres"):
    return sh("psql", "-X", "-q", "-At", "-h", pg["host"], "-p", pg["port"], "-U", pg["user"], "-d", db, "-c", sql)


def pg_url(pg, ssl="disable"):
    return f"postgres://{pg['user']}@{pg['host']}:{pg['port']}/{DB}?sslmode={ssl}"


def sg_env(pg, port, ssl="disable"):
    env = dict(os.environ)
    env.update(
        SOCIALGATE_DATABASE_URL=pg_url(pg, ssl),
        SOCIALGATE_LISTEN=f"127.0.0.1:{port}",
        SOCIALGATE_JWT_SECRET=SECRET,
        SOCIALGATE_TOKEN_KEYS=TOKEN_KEYS,
        SOCIALGATE_JOBS="false",
        SOCIALGATE_TENANT_RATE="0",
        SOCIALGATE_TENANT_CONCURRENCY="0",
        SOCIALGATE_ANONYMOUS_RATE="0",
        SOCIALGATE_LOG="warn",
        SOCIALGATE_CONSOLE="false",
        SOCIALGATE_PUBLIC_SCHEMA="false",
        SOCIALGATE_DATA_DIR=tempfile.mkdtemp(prefix="sg-versus-"),
    )
    return env


def post(port, query, variables, token=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    conn.request("POST", "/graphql", json.dumps({"query": query, "variables": variables}), headers)
    reply = json.loads(conn.getresponse().read())
    conn.close()
    if reply.get("errors"):
        raise SystemExit(f"port {port}: {reply['errors']}")
    return reply["data"]


def wait_answering(port, query, variables, token, limit=60.0):
    start = time.monotonic()
    while True:
        try:
            post(port, query, variables, token)
            return time.monotonic() - start
        except (ConnectionError, OSError, SystemExit):
            if time.monotonic() - start > limit:
                raise SystemExit(f"nothing answers on port {port}")
            time.sleep(0.002)


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ticks(pids):
    """CPU ticks (user and system) of each process still alive."""
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def spent(before, after):
    """Ticks spent between two readings by the processes alive at both."""
    return sum(after[pid] - before[pid] for pid in before if pid in after)


def children(pid):
    found = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) in found:
            found.append(int(stat.parent.name))
    return found


def postgres_pids():
    pids = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip().startswith("postgres"):
                pids.append(int(comm.parent.name))
        except OSError:
            continue
    return pids


def segments_to_postgres(pids, pg_port):
    """Data segments the processes' sockets to PostgreSQL have sent (one per query
    message on loopback)."""
    out = sh("ss", "-tnpi", "state", "established", f"( dport = :{pg_port} )")
    total, owned = 0, False
    for line in out.splitlines():
        if "users:" in line:
            owned = any(f"pid={pid}," in line for pid in pids)
        m = re.search(r"data_segs_out:(\d+)", line)
        if m and owned:
            total += int(m.group(1))
    return total


def wrk(port, body, token, connections, seconds):
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    lua_body = json.dumps(body).replace("\\", "\\\\").replace("'", "\\'")
    script.write(
        "wrk.method = 'POST'\n"
        f"wrk.body = '{lua_body}'\n"
        "wrk.headers['Content-Type'] = 'application/json'\n"
        + (f"wrk.headers['Authorization'] = 'Bearer {token}'\n" if token else "")
    )
    script.close()
    threads = 2 if connections > 1 else 1
    out = sh(
        "wrk", "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
        "-s", script.name, f"http://127.0.0.1:{port}/graphql",
    )
    os.unlink(script.name)
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"wrk saw failures:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    lat = {}
    for pct, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M):
        lat[pct] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return rps, total, lat["50"], lat["99"]


def start(cmd, env, cwd=None):
    log = tempfile.NamedTemporaryFile("w", prefix="versus-", suffix=".log", delete=False)
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    proc.log = log.name
    return proc


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def pg_address(spec):
    """`user@host:port` as the helpers take it."""
    user, hostport = spec.split("@")
    host, port = hostport.split(":")
    return {"user": user, "host": host, "port": port}


def release_binary(given):
    """The binary named, or the release build (built now)."""
    if given:
        return given
    sh("cargo", "build", "--release", "--locked", "--bin", "socialgate", capture=False)
    return str(ROOT / "target" / "release" / "socialgate")


def seeded_database(pg, binary, reuse):
    """Seeds `DB` afresh with 100 tenants of 50 users (kept with `reuse` when a seed
    record exists); returns the seeded tenants, as `socialgate seed` describes them."""
    seeded_file = Path(tempfile.gettempdir()) / f"{DB}.seed.jsonl"
    if not (reuse and seeded_file.exists()):
        psql(pg, f"DROP DATABASE IF EXISTS {DB}")
        psql(pg, f"CREATE DATABASE {DB}")
        print("seeding 100 tenants of 50 users…", file=sys.stderr)
        seed = sh(binary, "seed", "--tenants", "100", "--users-per-tenant", "50", env=sg_env(pg, 0))
        seeded_file.write_text(seed)
        psql(pg, "VACUUM ANALYZE", db=DB)
    return [json.loads(line) for line in seeded_file.read_text().splitlines() if line.startswith("{")]


def compared_caller(pg, binary, seeded):
    """A token of the largest seeded tenant's compliance officer, and the variables of
    (a), (b) and (c) for them: (a) asks for the most-noted integration of (b)'s page."""
    largest = max(seeded, key=lambda t: t["integrations"])
    token = sh(
        binary, "token", "--tenant", largest["tenant_id"], "--sub", largest["compliance"],
        "--role", "compliance", "--ttl", "1d", env=sg_env(pg, 0),
    ).strip()
    port = free_port()
    server = start([binary, "serve"], sg_env(pg, port))
    try:
        wait_answering(port, SG["c"], {}, token)
        page = post(port, SG["b"], {}, token)["integrations"]["edges"]
    finally:
        stop(server)
    noted = max(page, key=lambda e: len(e["node"]["complianceNotes"]))["node"]
    return token, {"a": {"id": noted["id"]}, "b": {}, "c": {}}


def capture_statements(pg, binary, token, log_file, query="b", variables=None):
    """The statements (and their parameters) one request of `query` sends."""
    psql(pg, f"ALTER DATABASE {DB} SET log_min_duration_statement = 0")
    mark = Path(log_file).stat().st_size
    port = free_port()
    server = start([binary, "serve"], sg_env(pg, port))
    try:
        wait_answering(port, SG["c"], {}, token)
        # The listener forgets the remembered callers when it first connects, which
        # may be after the first answer: remember the caller again once it has.
        time.sleep(1.0)
        post(port, SG["c"], {}, token)
        time.sleep(0.5)
        mark = Path(log_file).stat().st_size
        post(port, SG[query], variables or {}, token)
        time.sleep(0.5)
    finally:
        stop(server)
        psql(pg, f"ALTER DATABASE {DB} RESET log_min_duration_statement")
    with open(log_file, errors="replace") as f:
        f.seek(mark)
        lines = f.read().splitlines()
    statements = []
    for i, line in enumerate(lines):
        m = re.search(r"duration: [\d.]+ ms\s+(?:execute [^:]*|statement): (.*)$", line)
        if not m or not m.group(1).lstrip().upper().startswith("SELECT"):
            continue
        params = {}
        if i + 1 < len(lines) and "DETAIL:  parameters:" in lines[i + 1]:
            params = dict(
                re.findall(r"\$(\d+) = ('(?:[^']|'')*'|NULL)", lines[i + 1].split("parameters:", 1)[1])
            )
        statements.append((m.group(1), params))
    return statements


def statement_log(pg):
    """Where PostgreSQL writes its log (the logging collector's file, or Debian's)."""
    log_file = psql(pg, "SELECT pg_current_logfile()").strip()
    if not log_file:
        logs = sorted(Path("/var/log/postgresql").glob("postgresql-*-main.log"))
        return str(logs[-1]) if logs else ""
    data_dir = psql(pg, "SHOW data_directory").strip()
    return log_file if log_file.startswith("/") else os.path.join(data_dir, log_file)


def inline(sql, params):
    return re.sub(r"\$(\d+)\b", lambda p: params[p.group(1)], sql)


def generic_plans(pg, statements):
    """How PostgreSQL runs each captured statement as the driver does: prepared, with
    the generic plan it settles on after a few executions."""
    plans = []
    for n, (sql, params) in enumerate(statements):
        values = ", ".join(params[k] for k in sorted(params, key=int))
        script = (
            "SET plan_cache_mode = force_generic_plan;\n"
            f"PREPARE s{n} AS {sql};\n"
            f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY ON) EXECUTE s{n}"
            + (f"({values})" if values else "")
            + ";\n"
        )
        out = sh("psql", "-X", "-q", "-At", "-h", pg["host"], "-p", pg["port"], "-U", pg["user"], "-d", DB, "-c", script)
        lines = [l.strip() for l in out.splitlines() if l.strip()]
        nodes = [l.lstrip("-> ") for l in lines if ":" not in l and not l.startswith("SET")]
        scans = [re.sub(r"\s*\(.*", "", n) for n in nodes]
        buffers = next((l for l in lines if l.startswith("Buffers:")), "")
        execution = next((l for l in lines if l.startswith("Execution Time")), "")
        table = re.search(r'FROM "(\w+)"', sql)
        plans.append((table.group(1) if table else "?", " → ".join(scans[:3]), buffers.replace("Buffers: ", ""), execution.replace("Execution Time: ", "")))
    return plans


def pgbench_ceiling(pg, statements, seconds):
    script = tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False)
    script.write("".join(inline(sql, params).rstrip(";") + ";\n" for sql, params in statements))
    script.close()
    out = sh(
        "pgbench", "-n", "-M", "prepared", "-c", "32", "-j", "2", "-T", str(seconds),
        "-h", pg["host"], "-p", pg["port"], "-U", pg["user"], "-f", script.name, DB,
    )
    os.unlink(script.name)
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each server per query and concurrency")
    parser.add_argument("--binary", help="a socialgate binary (default: build the release one)")
    parser.add_argument("--pg", default="postgres@127.0.0.1:5432", help="user@host:port, trust auth")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument("--write", action="store_true", help="put the report in BENCHMARKS.md")
    args = parser.parse_args()
    for tool in ["wrk", "psql", "pgbench", "npm", "node", "ss"]:
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is needed (Debian: wrk, postgresql-client, nodejs, npm, iproute2)")
    pg = pg_address(args.pg)
    binary = release_binary(args.binary)
    if not (PG_DIR / "node_modules" / ".bin" / "postgraphile").exists():
        sh("npm", "install", "--prefix", str(PG_DIR), "--no-audit", "--no-fund", capture=False)

    env = sg_env(pg, 0)
    seeded = seeded_database(pg, binary, args.reuse)
    largest = max(seeded, key=lambda t: t["integrations"])
    token = sh(binary, "token", "--tenant", largest["tenant_id"], "--sub", largest["compliance"], "--role", "compliance", "--ttl", "7d", env=env).strip()
    tenant_uuid = psql(pg, f"SELECT id FROM tenants WHERE external_id = '{largest['tenant_id']}'", db=DB).strip()
    counts = psql(pg, "SELECT count(*) FROM integrations", db=DB).strip()
    notes = psql(pg, "SELECT count(*) FROM compliance_notes", db=DB).strip()
    users = psql(pg, "SELECT count(*) FROM users", db=DB).strip()

    sg_port, pg4_port = free_port(), free_port()
    sg = start([binary, "serve"], sg_env(pg, sg_port))
    pg4 = start(
        [
            str(PG_DIR / "node_modules" / ".bin" / "postgraphile"),
            "--connection", pg_url(pg), "--schema", "public", "--host", "127.0.0.1",
            "--port", str(pg4_port), "--cluster-workers", "2", "--disable-query-log",
            "--disable-graphiql",
        ],
        dict(os.environ, NODE_ENV="production"),
    )
    try:
        wait_answering(sg_port, SG["c"], {}, token)
        wait_answering(pg4_port, PG4["c"], {"t": tenant_uuid}, None)

        # The same rows from both, or the comparison means nothing.
        page = post(sg_port, SG["b"], {}, token)["integrations"]["edges"]
        noted = max(page, key=lambda e: len(e["node"]["complianceNotes"]))["node"]
        from_sg = {
            "a": post(sg_port, SG["a"], {"id": noted["id"]}, token)["integration"],
            "b": page,
            "c": post(sg_port, SG["c"], {}, token)["integrationCounts"],
        }
        raw_id = psql(
            pg,
            f"SELECT id FROM integrations WHERE tenant_id = '{tenant_uuid}' AND disconnected_at IS NULL "
            f"ORDER BY id OFFSET {page.index(next(e for e in page if e['node']['id'] == noted['id']))} LIMIT 1",
            db=DB,
        ).strip()
        pg4_vars = {"a": {"t": tenant_uuid, "id": raw_id}, "b": {"t": tenant_uuid}, "c": {"t": tenant_uuid}}
        sg_vars = {"a": {"id": noted["id"]}, "b": {}, "c": {}}
        from_pg4 = {q: post(pg4_port, PG4[q], pg4_vars[q]) for q in "abc"}
        a4 = from_pg4["a"]["allIntegrations"]["nodes"][0]
        assert [n["body"] for n in a4["complianceNotesByIntegrationId"]["nodes"]] == [
            n["body"] for n in from_sg["a"]["complianceNotes"]
        ], "(a) differs"
        b4 = from_pg4["b"]["allIntegrations"]["nodes"]
        assert len(b4) == len(from_sg["b"]) == 50, "(b) sizes differ"
        assert [len(n["complianceNotesByIntegrationId"]["nodes"]) for n in b4] == [
            len(e["node"]["complianceNotes"]) for e in from_sg["b"]
        ], "(b) notes differ"
        c4 = {s: from_pg4["c"][s.lower()]["totalCount"] for s in STATUSES}
        assert c4 == {r["status"]: r["count"] for r in from_sg["c"]}, f"(c) differs: {c4} {from_sg['c']}"
        notes_on_page = sum(len(e["node"]["complianceNotes"]) for e in from_sg["b"])

        servers = {
            "socialgate": (sg_port, lambda q: {"query": SG[q], "variables": sg_vars[q]}, token, lambda: [sg.pid]),
            "PostGraphile 4": (pg4_port, lambda q: {"query": PG4[q], "variables": pg4_vars[q]}, None, lambda: children(pg4.pid)),
        }
        for name, (port, body, tok, pids) in servers.items():
            for q in "abc":
                wrk(port, body(q), tok, 32, 3)  # warm-up: JIT, pools, caches

        results = {}
        for conns in [32, 1]:
            for q in "abc":
                for rnd in range(args.rounds):
                    order = list(servers.items()) if rnd % 2 == 0 else list(reversed(servers.items()))
                    for name, (port, body, tok, pids) in order:
                        procs = pids()
                        before = (cpu_ticks(procs), cpu_ticks(postgres_pids()))
                        rps, total, p50, p99 = wrk(port, body(q), tok, conns, args.seconds)
                        after = (cpu_ticks(procs), cpu_ticks(postgres_pids()))
                        tick_ms = 1000.0 / os.sysconf("SC_CLK_TCK")
                        results.setdefault((conns, q, name), []).append(
                            {
                                "rps": rps,
                                "p50": p50,
                                "p99": p99,
                                "server_ms": spent(before[0], after[0]) * tick_ms / total,
                                "pg_ms": spent(before[1], after[1]) * tick_ms / total,
                            }
                        )
                        print(f"{conns:>2} conns ({q}) {name}: {rps:.0f} req/s p50 {p50:.2f} p99 {p99:.2f} ms", file=sys.stderr)

        trips = {}
        for name, (port, body, tok, pids) in servers.items():
            conn = http.client.HTTPConnection("127.0.0.1", port)
            headers = {"Content-Type": "application/json"}
            if tok:
                headers["Authorization"] = "Bearer " + tok
            for q in "abc":
                procs = pids()
                before = segments_to_postgres(procs, pg["port"])
                for _ in range(200):
                    conn.request("POST", "/graphql", json.dumps(body(q)), headers)
                    conn.getresponse().read()
                trips[(q, name)] = (segments_to_postgres(procs, pg["port"]) - before) / 200
            conn.close()
    finally:
        stop(sg)
        stop(pg4)

    log_path = statement_log(pg)
    statements = capture_statements(pg, binary, token, log_path) if log_path else []
    ceiling = pgbench_ceiling(pg, statements, args.seconds) if statements else None
    plans = generic_plans(pg, statements)

    cold = {}
    for ssl in ["disable", "require"]:
        times = []
        for _ in range(5):
            port = free_port()
            began = time.monotonic()
            server = start([binary, "serve"], sg_env(pg, port, ssl))
            try:
                wait_answering(port, SG["c"], {}, token)
                times.append((time.monotonic() - began) * 1000)
            finally:
                stop(server)
        cold[ssl] = statistics.median(times)

    report = render(args, results, trips, statements, ceiling, plans, cold, notes_on_page, (counts, notes, users, largest))
    print(report)
    if args.write:
        write_between("versus", report)


def write_between(marker, report):
    """Puts `report` in BENCHMARKS.md between the `marker:begin` and `marker:end`
    comments (added at the end the first time)."""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text()
    begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
    if begin in text:
        head, rest = text.split(begin, 1)
        text = head + begin + "\n" + report + "\n" + end + rest.split(end, 1)[1]
    else:
        text += "\n" + begin + "\n" + report + "\n" + end + "\n"
    path.write_text(text)


def render(args, results, trips, statements, ceiling, plans, cold, notes_on_page, sizes):
    counts, notes, users, largest = sizes
    mean = lambda rows, key: statistics.mean(r[key] for r in rows)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
    lines = [
        f"`python3 benches/versus.py --seconds {args.seconds} --rounds {args.rounds}`, "
        f"{time.strftime('%Y-%m-%d')}, commit {commit}{' with uncommitted changes' if dirty else ''}, "
        f"load average before the run {os.getloadavg()[0]:.1f}.",
        "",
        f"Data: {counts} integrations, {notes} notes, {users} users in 100 tenants; the caller is the "
        f"compliance officer of the largest tenant ({largest['integrations']} integrations; "
        f"{notes_on_page} notes on the page of (b)). Means over {args.rounds} rounds of {args.seconds} s, "
        "servers alternated; CPU per request from /proc (server: all its processes; PostgreSQL: all "
        "its processes); round trips: messages the server's connections sent to PostgreSQL per request "
        "(statements, and the pool's check of each connection handed back).",
        "",
    ]
    for conns in [32, 1]:
        lines += [
            f"**{conns} connection{'s' if conns > 1 else ''}**",
            "",
            "| query | socialgate req/s | PostGraphile 4 req/s | ratio | p50 ms (sg / PG4) | p99 ms (sg / PG4) "
            "| server CPU ms/req (sg / PG4) | PostgreSQL CPU ms/req (sg / PG4) | round trips (sg / PG4) |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for q, label in [("a", "(a) one integration + notes with authors"), ("b", "(b) 50 integrations + owner + notes with authors"), ("c", "(c) counts by status")]:
            s, p = results[(conns, q, "socialgate")], results[(conns, q, "PostGraphile 4")]
            lines.append(
                f"| {label} | {mean(s, 'rps'):,.0f} | {mean(p, 'rps'):,.0f} | {mean(s, 'rps') / mean(p, 'rps'):.2f} "
                f"| {mean(s, 'p50'):.2f} / {mean(p, 'p50'):.2f} | {mean(s, 'p99'):.2f} / {mean(p, 'p99'):.2f} "
                f"| {mean(s, 'server_ms'):.2f} / {mean(p, 'server_ms'):.2f} | {mean(s, 'pg_ms'):.2f} / {mean(p, 'pg_ms'):.2f} "
                f"| {trips[(q, 'socialgate')]:.1f} / {trips[(q, 'PostGraphile 4')]:.1f} |"
            )
        lines.append("")
    if ceiling:
        b = mean(results[(32, "b", "socialgate")], "rps")
        lines += [
            f"pgbench ceiling of (b): socialgate's own {len(statements)} statements for (b), captured from "
            f"the server's statement log and replayed with `pgbench -M prepared -c 32 -j 2`: "
            f"{ceiling:,.0f} per second; socialgate reached {b / ceiling:.0%} of it.",
            "",
        ]
    if plans:
        lines += [
            "Plans of (b)'s statements as the driver runs them (prepared, generic plan, "
            "`EXPLAIN (ANALYZE, BUFFERS)`):",
            "",
            "| statement on | plan | buffers | execution |",
            "|---|---|---|---|",
        ]
        lines += [f"| {t} | {p} | {b} | {e} |" for t, p, b, e in plans]
        lines.append("")
    lines += [
        f"Cold start (process start to a first answered query, median of 5): "
        f"{cold['disable']:.0f} ms without TLS to PostgreSQL, {cold['require']:.0f} ms with `sslmode=require`.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
