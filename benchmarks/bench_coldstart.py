"""Cold start: import time of the analyze handler module against ``import boto3``.

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
    # The same without Powertools Tracer's X-Ray SDK, which builds a botocore X-Ray client at import:
    # what our own code costs on top of boto3.
    service, _ = measure("import incident_responder.analyze, aws_lambda_powertools.logging, "
                         "aws_lambda_powertools.metrics")
    emit("coldstart_import_ratio_vs_boto3_without_xray_sdk", round(service / base, 3), "ratio",
         round(base * 1000, 1), 1.5, service_ms=round(service * 1000, 1))


if __name__ == "__main__":
    main()
