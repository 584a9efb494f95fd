#!/usr/bin/env python3
"""How PostgreSQL runs socialgate's statements for the three queries of `versus.py`,
at 100 tenants and at 10,000.

    python3 benches/plans.py [--tenants 10000] [--reuse] [--write]

1. Seeds the database `socialgate_plans` with `socialgate seed --tenants 100
   --users-per-tenant 50` (skipped with `--reuse` when it is already seeded).
2. Captures the statements socialgate sends for (a) one integration with its notes and
   their authors, (b) a page of 50 with owners, notes and authors, and (c) the counts
   by status, as the compliance officer of the largest tenant (statement logging on
   the database for one request each).
3. Prints each statement's plan as the driver runs it (prepared, generic plan,
   `EXPLAIN (ANALYZE, BUFFERS)`).
4. Copies the seeded tenants until there are `--tenants` of them (every row of the
   100 again under new ids: ids are remapped by hashing, external ids get a suffix),
   analyzes, and prints the same statements' plans again. Seeding 10,000 tenants
   through the service would take well over an hour; the copies only serve the plans
   (their audit chains do not verify).

`--write` puts the tables in BENCHMARKS.md between the `plans:begin` and `plans:end`
markers.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import versus  # noqa: E402  (the same helpers, pointed at another database)

versus.DB = "socialgate_plans"
DB = versus.DB
# Parents before children, so every copied row finds its copied references.
TABLES = ["tenants", "users", "integrations", "credentials", "compliance_notes", "integration_events"]


def columns(pg, table):
    rows = versus.psql(
        pg,
        "SELECT column_name || ':' || data_type FROM information_schema.columns "
        f"WHERE table_name = '{table}' ORDER BY ordinal_position",
        db=DB,
    )
    return [line.split(":", 1) for line in rows.splitlines() if line]


def copy_tenants(pg, tenants):
    """Adds copies of the original tenants' rows until there are `tenants` tenants."""
    have = int(versus.psql(pg, "SELECT count(*) FROM tenants", db=DB))
    copies = -(-tenants // have) - 1
    if copies <= 0:
        return
    script = [
        "BEGIN;",
        "CREATE TEMP TABLE originals AS SELECT id FROM tenants;",
        f"CREATE TEMP TABLE copies AS SELECT generate_series(1, {copies}) AS k;",
    ]
    for table in TABLES:
        cols = columns(pg, table)
        names = ", ".join(name for name, _ in cols)
        values = []
        for name, kind in cols:
            if kind == "uuid":
                values.append(f"md5({name}::text || ':' || k)::uuid")
            elif table == "tenants" and name == "external_id":
                values.append(f"{name} || '~' || k")
            else:
                values.append(name)
        owner = "id" if table == "tenants" else "tenant_id"
        script.append(
            f"INSERT INTO {table} ({names}) SELECT {', '.join(values)} FROM {table}, copies "
            f"WHERE {owner} IN (SELECT id FROM originals);"
        )
    script.append("COMMIT;")
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write("\n".join(script))
    began = time.monotonic()
    versus.sh("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", pg["host"], "-p", pg["port"], "-U", pg["user"], "-d", DB, "-f", f.name)
    os.unlink(f.name)
    versus.psql(pg, "VACUUM ANALYZE", db=DB)
    print(f"copied to {have * (copies + 1)} tenants in {time.monotonic() - began:.0f} s", file=sys.stderr)


def sizes(pg):
    return {
        t: int(versus.psql(pg, f"SELECT count(*) FROM {t}", db=DB))
        for t in ["tenants", "users", "integrations", "compliance_notes", "integration_events"]
    }


def table(plans):
    lines = ["| query | statement on | plan | buffers | execution |", "|---|---|---|---|---|"]
    for query, rows in plans:
        for on, plan, buffers, execution in rows:
            lines.append(f"| ({query}) | {on} | {plan} | {buffers} | {execution} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=10_000, help="tenants for the second set of plans")
    parser.add_argument("--binary", help="a socialgate binary (default: build the release one)")
    parser.add_argument("--pg", default="postgres@127.0.0.1:5432", help="user@host:port, trust auth")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument("--write", action="store_true", help="put the report in BENCHMARKS.md")
    args = parser.parse_args()
    pg = versus.pg_address(args.pg)
    binary = versus.release_binary(args.binary)
    seeded = versus.seeded_database(pg, binary, args.reuse)
    largest = max(seeded, key=lambda t: t["integrations"])
    token, variables = versus.compared_caller(pg, binary, seeded)
    log_path = versus.statement_log(pg)
    captured = {
        q: versus.capture_statements(pg, binary, token, log_path, q, variables[q]) for q in "abc"
    }

    report = []
    for label in ["before", "after"]:
        if label == "after":
            copy_tenants(pg, args.tenants)
        size = sizes(pg)
        plans = [(q, versus.generic_plans(pg, captured[q])) for q in "abc"]
        report.append(
            f"**{size['tenants']:,} tenants** ({size['users']:,} users, {size['integrations']:,} "
            f"integrations, {size['compliance_notes']:,} notes, {size['integration_events']:,} events):\n\n"
            + table(plans)
        )
    text = (
        f"`python3 benches/plans.py --tenants {args.tenants}`, {time.strftime('%Y-%m-%d')}; the caller is the "
        f"compliance officer of the largest seeded tenant ({largest['integrations']} integrations), the same "
        "statements with the same parameters at both sizes.\n\n" + "\n\n".join(report)
    )
    print(text)
    if args.write:
        versus.write_between("plans", text)


if __name__ == "__main__":
    main()
