#!/usr/bin/env python3
"""One keep-alive client against a running socialgate: median and p90 latency of
(a) one integration with its notes and their authors, and (b) a page of 50
integrations with owners, notes and authors. Latency of a lone client shows waits
(timers, round trips) that throughput under load hides.

    SOCIALGATE_TOKEN=$(socialgate token --tenant T --sub U --role compliance) \
        python3 benches/one_client.py [PORT] [REQUESTS]
"""
import http.client
import json
import os
import statistics
import sys
import time

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
N = int(sys.argv[2]) if len(sys.argv) > 2 else 300
TOKEN = os.environ["SOCIALGATE_TOKEN"]
conn = http.client.HTTPConnection("127.0.0.1", PORT)


def run(query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}})
    headers = {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"}
    conn.request("POST", "/graphql", body, headers)
    reply = json.loads(conn.getresponse().read())
    if reply.get("errors"):
        raise SystemExit(str(reply["errors"]))
    return reply


page = run("{ integrations(first: 100) { edges { node { id complianceNotes { id } } } } }")
nodes = [edge["node"] for edge in page["data"]["integrations"]["edges"]]
most_noted = max(nodes, key=lambda node: len(node["complianceNotes"]))["id"]
A = "query($id: ID!) { integration(id: $id) { id status complianceNotes { body author { id } } } }"
B = "{ integrations(first: 50) { edges { node { id status owner { id } complianceNotes { body author { id } } } } } }"
for name, query, variables in [("a", A, {"id": most_noted}), ("b", B, None)]:
    for _ in range(30):
        run(query, variables)
    times = []
    for _ in range(N):
        start = time.perf_counter()
        run(query, variables)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"{name}: median {statistics.median(times):.2f} ms, p90 {times[int(N * 0.9)]:.2f} ms (n={N})")
