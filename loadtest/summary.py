"""Summarize a locust run from its final stats: requests/s, p50/p95/p99, errors.

    python loadtest/summary.py var/loadtest/<run> [--outage START END] [--compare <steady run>]

Reads <run>.json (locust --json-file) and the errors of <run>_failures.csv (locust --csv).
With --outage (the Unix times between which the database was restarted), errors are split into
those during the outage, plus the pool's 10 s wait for a connection, and those outside it,
which must be none. With --compare (a steady run's prefix), buyers' p95 (every request but the
« member: » and « hostile: » ones) must stay within 1.5 times that run's. Exits with 1 when an
error happened outside the outage, or the buyers' p95 grew more than that.
"""

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

P95_TARGET_MS = 300
# Hostile uploads may slow buyers down this much at most (issue: no upload ties up the site).
BUYERS_P95_GROWTH = 1.5
NOT_BUYERS = ("member: ", "hostile: ")
# A request that waited for a connection during the outage fails up to this long after it.
POOL_TIMEOUT_SECONDS = 10


class Entry:
    """One kind of request, or all of them merged."""

    def __init__(self, name, entries):
        self.name = name
        self.times = Counter()
        self.failures_per_second = Counter()
        for entry in entries:
            self.times.update({int(ms): count for ms, count in entry["response_times"].items()})
            self.failures_per_second.update(
                {int(second): count for second, count in entry["num_fail_per_sec"].items()}
            )
        self.count = sum(entry["num_requests"] for entry in entries)
        self.errors = sum(entry["num_failures"] for entry in entries)
        started = min(entry["start_time"] for entry in entries)
        ended = max(entry["last_request_timestamp"] or started for entry in entries)
        self.per_second = self.count / max(ended - started, 1)

    def percentile(self, fraction):
        """The response time (ms) that this fraction of the requests did not exceed."""
        seen = 0
        for milliseconds in sorted(self.times):
            seen += self.times[milliseconds]
            if seen >= fraction * sum(self.times.values()):
                return milliseconds
        return 0

    def row(self):
        return (f"{self.name[:32]:<32} {self.count:>7} {self.errors:>6} {self.per_second:>6.1f} "
                f"{self.percentile(0.5):>5} {self.percentile(0.95):>5} "
                f"{self.percentile(0.99):>5}")


def buyers(entries):
    return Entry("buyers' requests", [
        entry for entry in entries if not entry["name"].startswith(NOT_BUYERS)
    ])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefix", help="the run's file prefix under var/loadtest/")
    parser.add_argument("--outage", nargs=2, type=int, metavar=("START", "END"))
    parser.add_argument("--compare", metavar="STEADY_RUN",
                        help="a run without hostile uploads, to compare buyers' p95 with")
    args = parser.parse_args()

    entries = json.loads(Path(f"{args.prefix}.json").read_text(encoding="utf-8"))
    kinds = [Entry(f"{entry['method']} {entry['name']}", [entry]) for entry in entries]
    total = Entry("all requests", entries)
    print(f"{'request':<32} {'count':>7} {'errors':>6} {'req/s':>6} "
          f"{'p50':>5} {'p95':>5} {'p99':>5}  (ms)")
    for kind in sorted(kinds, key=lambda kind: -kind.count):
        print(kind.row())
    print(total.row())
    print()
    print(f"requests/s {total.per_second:.1f}, p50 {total.percentile(0.5)} ms, "
          f"p95 {total.percentile(0.95)} ms, p99 {total.percentile(0.99)} ms, "
          f"errors {total.errors} of {total.count}")
    p95_met = total.percentile(0.95) <= P95_TARGET_MS
    print(f"p95 target {P95_TARGET_MS} ms: {'met' if p95_met else 'MISSED'}")
    buyers_p95 = buyers(entries).percentile(0.95)
    print(f"buyers' p95 {buyers_p95} ms")
    slowed = False
    if args.compare:
        steady = json.loads(Path(f"{args.compare}.json").read_text(encoding="utf-8"))
        steady_p95 = buyers(steady).percentile(0.95)
        slowed = buyers_p95 > BUYERS_P95_GROWTH * steady_p95
        print(f"buyers' p95 in the steady run {steady_p95} ms: "
              f"× {buyers_p95 / max(steady_p95, 1):.2f} "
              f"({'within' if not slowed else 'MORE than'} × {BUYERS_P95_GROWTH})")

    unexpected = total.errors
    if args.outage:
        start, end = args.outage
        during = sum(
            count for second, count in total.failures_per_second.items()
            if start <= second <= end + POOL_TIMEOUT_SECONDS
        )
        unexpected = total.errors - during
        print(f"database restart ({end - start} s): {during} errors during it, "
              f"{unexpected} outside it")
    failures = Path(f"{args.prefix}_failures.csv")
    if total.errors and failures.exists():
        print("\nerrors by kind:")
        with failures.open(newline="", encoding="utf-8") as file:
            for row in csv.DictReader(file):
                print(f"  {row['Occurrences']:>5} × {row['Method']} {row['Name']}: "
                      f"{row['Error']}")
    return 1 if unexpected or slowed else 0


if __name__ == "__main__":
    sys.exit(main())
