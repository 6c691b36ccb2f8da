"""Synthetic failure logs for the compaction benchmark: real Loghub noise, one real causal line.

Noise is the Loghub 2k samples (Spark, Hadoop, HDFS, OpenStack) in tests/fixtures/loghub,
interleaved in blocks the way several streams of one job interleave, cycled to any length. One
causal line, taken from real failure messages (the sources are noted beside each), is injected at
a seeded random position. Everything streams: a million lines never sit in memory at once.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CAUSES", "NOISE_FILES", "Case", "Cause", "load_noise", "make_case", "unique_lines"]

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "loghub"
NOISE_FILES = ("Spark_2k.log", "Hadoop_2k.log", "HDFS_2k.log", "OpenStack_2k.log")


@dataclass(frozen=True)
class Cause:
    """A causal failure: the lines injected and the text that must survive compaction."""

    name: str
    lines: tuple[str, ...]
    needle: str


# Verbatim or near-verbatim real messages (ids refer to the project's shared error corpus).
CAUSES: tuple[Cause, ...] = (
    Cause(  # corpus id 35: Spark on YARN, EMR
        "spark_yarn_memory",
        ("17/11/25 18:23:24 ERROR YarnClusterScheduler: Lost executor 9 on harrisburg.cs.colostate.edu: "
         "Container killed by YARN for exceeding memory limits. 7.2 GB of 4.2 GB virtual memory used. "
         "Consider boosting spark.yarn.executor.memoryOverhead.",),
        "Container killed by YARN for exceeding memory limits",
    ),
    Cause(  # corpus id 38: Spark executor, the handler line followed by the error line
        "java_heap_oom",
        ("20/02/17 11:44:50 ERROR SparkUncaughtExceptionHandler: Uncaught exception in thread "
         "Thread[Executor task launch worker for task 931,5,main]",
         "java.lang.OutOfMemoryError: Java heap space"),
        "java.lang.OutOfMemoryError: Java heap space",
    ),
    Cause(  # the classic Hadoop task failure on a full local disk
        "no_space",
        ("2015-10-18 18:05:57,024 WARN [main] org.apache.hadoop.mapred.YarnChild: Exception running child : "
         "org.apache.hadoop.fs.FSError: java.io.IOException: No space left on device",),
        "No space left on device",
    ),
    Cause(  # corpus id 44: S3 throttling seen from EMR/Spark
        "s3_slowdown",
        ("com.amazonaws.services.s3.model.AmazonS3Exception: Please reduce your request rate. "
         "(Service: Amazon S3; Status Code: 503; Error Code: SlowDown; Request ID: 03D8D00FA3AD0455)",),
        "Error Code: SlowDown",
    ),
    Cause(  # corpus id 43: Glue writing to S3
        "access_denied",
        ("An error occurred while calling o122.pyWriteDynamicFrame. Access Denied (Service: Amazon S3; "
         "Status Code: 403; Error Code: AccessDenied; Request ID: 021AAB703DB20A2D; S3 Extended Request ID: "
         "teZk24Y09TkXzBvMPG502L5VJBhe9DJuWA9/TXtuGOqfByajkfL/Tlqt5JBGdEGpigAqzdMDM/U=)",),
        "Error Code: AccessDenied",
    ),
    Cause(  # corpus id 46: Glue job, missing input path
        "path_missing",
        ("[ERROR] 2018-07-18T15:17:26.792Z 88fb4fc4-8a9d-11e8-bec7-f7119107e998 Glue job "
         "\"JoinMarketingAndSalesData\" run with Run Id \"jr_bebcc\" failed. Last state: FAILED. "
         "Error message: "
         "AnalysisException: u'Path does not exist: "
         "hdfs://ip-172-31-74-135.ec2.internal:8020/user/root/aa.etl-output-path/tmp/sales;'",),
        "Path does not exist",
    ),
)


def load_noise(folder: Path = FIXTURES) -> list[list[str]]:
    """The lines of each Loghub sample, one list per file."""
    return [
        (folder / name).read_text(encoding="utf-8", errors="replace").splitlines() for name in NOISE_FILES
    ]


@dataclass
class Case:
    """One benchmark log: ``lines()`` streams it anew each call."""

    n_lines: int
    seed: int
    cause: Cause
    position: int
    noise: list[list[str]]

    def lines(self) -> Iterator[str]:
        rng = random.Random(self.seed)
        cursors = [rng.randrange(len(f)) for f in self.noise]
        emitted = 0
        while emitted < self.n_lines:
            which = rng.randrange(len(self.noise))
            block = rng.randint(20, 400)
            source, cursor = self.noise[which], cursors[which]
            for _ in range(min(block, self.n_lines - emitted)):
                if emitted == self.position:
                    yield from self.cause.lines
                yield source[cursor]
                cursor = (cursor + 1) % len(source)
                emitted += 1
            cursors[which] = cursor


def make_case(n_lines: int, seed: int, noise: list[list[str]] | None = None, tail: float = 1.0) -> Case:
    """A log of ``n_lines`` noise lines plus the causal lines of cause ``seed % 6`` at a random place.

    ``tail`` < 1 puts the causal line in the last ``tail`` fraction of the log, where a failing job's
    own error usually is.
    """
    rng = random.Random(10_000 + seed)
    cause = CAUSES[seed % len(CAUSES)]
    low = int(n_lines * (1.0 - tail))
    noise = noise if noise is not None else load_noise()
    return Case(n_lines, seed, cause, rng.randrange(low, n_lines), noise)


def unique_lines(n_lines: int, seed: int = 0) -> Iterator[str]:
    """Lines that share no template (random words, no digits): the worst case for template memory."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    pool = ["".join(rng.choices(letters, k=rng.randint(3, 9))) for _ in range(5000)]
    for _ in range(n_lines):  # 5000**6 or more word sequences: repeats are vanishingly rare
        yield "INFO worker " + " ".join(rng.choices(pool, k=rng.randint(6, 20)))
