"""Cold start: import time of the analyze handler module against ``import boto3``, tracing on.

Both are measured in fresh interpreter processes in the same run (median of N), so the figure is a
ratio that does not depend on the machine. Target: at most 1.5x. Also checks that the LLM SDK
(anthropic) is not imported on this path.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

from _common import ROOT, emit

RUNS = 9
PROBE = ("import time, sys; t=time.perf_counter(); {stmt}; "
         "print(time.perf_counter()-t); print('anthropic' in sys.modules)")


def measure(stmt: str) -> tuple[float, bool]:
    times, loaded = [], False
    for _ in range(RUNS):
        out = subprocess.run([sys.executable, "-c", PROBE.format(stmt=stmt)], capture_output=True, text=True,
                             check=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "eu-west-1",
                                                         "POWERTOOLS_TRACE_DISABLED": "false"})
        first, second = out.stdout.split()[:2]
        times.append(float(first))
        loaded = loaded or second == "True"
    return statistics.median(times), loaded


def main() -> None:
    base, _ = measure("import boto3")
    ours, anthropic_loaded = measure("import incident_responder.handlers.analyze")
    emit("coldstart_import_ratio_vs_boto3", round(ours / base, 3), "ratio", round(base * 1000, 1), 1.5,
         handler_ms=round(ours * 1000, 1), boto3_ms=round(base * 1000, 1), anthropic_imported=anthropic_loaded)
    # The Tracer (and with it the X-Ray SDK) is built at the first traced invocation (tracing.py): what
    # that first invocation adds on top of the import, so the lazy import is not read as a saving it is not.
    traced, _ = measure("import incident_responder.handlers.analyze as h; h.tracer.tracer")
    emit("coldstart_import_and_tracer_ratio_vs_boto3", round(traced / base, 3), "ratio", round(base * 1000, 1),
         None, traced_ms=round(traced * 1000, 1))


if __name__ == "__main__":
    main()
