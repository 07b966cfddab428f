"""`make bench-build`: the cold figure of `make build` for the benchmark table.

Runs `make build` with a fresh, empty cargo target folder (BENCH_BUILD_TARGET, default
target/bench-build-cold; deleted afterwards unless BENCH_BUILD_KEEP=1, so that a following
`CARGO_TARGET_DIR=<it> make bench` finds the arm64 build done), so every dependency compiles, and writes
target/bench/build-cold.json: wall time, the CPU time (user + sys) of everything the build ran,
and the load average before and after, since on a shared machine the wall time says little alone.
The artifact section of `make bench` (tests/src/bench/artifacts.rs) shows it.
"""

import datetime
import json
import os
import resource
import shutil
import subprocess
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    target = os.environ.get("BENCH_BUILD_TARGET") or os.path.join(REPO, "target", "bench-build-cold")
    out = os.path.join(REPO, "target", "bench", "build-cold.json")
    shutil.rmtree(target, ignore_errors=True)
    environment = dict(os.environ, CARGO_TARGET_DIR=target)
    load_before = os.getloadavg()
    started = time.monotonic()
    try:
        subprocess.run(["make", "--no-print-directory", "build"], cwd=REPO, env=environment, check=True)
        wall = time.monotonic() - started
        load_after = os.getloadavg()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        if os.environ.get("BENCH_BUILD_KEEP") != "1":
            shutil.rmtree(target, ignore_errors=True)
    figures = {
        "measured_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "load_average_before": [round(load, 2) for load in load_before],
        "load_average_after": [round(load, 2) for load in load_after],
    }
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as file:
        json.dump(figures, file, indent=2)
    print(f"bench-build: {json.dumps(figures)} written to {out}")


if __name__ == "__main__":
    main()
