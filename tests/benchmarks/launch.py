"""Starts one measured process from a small parent and reports its wall time and peak memory.

``python -m tests.benchmarks.launch RESULT.json CMD...`` runs CMD (its output goes to this
process's stdout and stderr), waits for it with ``wait4`` and writes ``{"seconds", "peak_mb",
"cpu_seconds", "started_at", "returncode"}`` to RESULT.json (``cpu_seconds``: user plus system
time, what the process cost whatever else the machine ran).

Why a launcher: Linux counts a process's peak resident memory (``ru_maxrss``) from before its
``exec``, so a process started directly by the benchmark runner would report the runner's own
size whenever that is larger than its own. Started from this small process, it reports its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    result_path, *cmd = argv
    started_at = time.time()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    returncode = os.waitstatus_to_exitcode(status)
    with open(result_path, "w", encoding="utf-8") as fh:
        json.dump(
            {
                "seconds": seconds,
                "peak_mb": usage.ru_maxrss / 1024,
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "started_at": started_at,
                "returncode": returncode,
            },
            fh,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
