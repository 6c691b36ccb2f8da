"""Compact a log of any size into a few ranked, redacted lines that still hold the causal line.

One pass over the lines, bounded memory: each line is cut to 2,000 characters, reduced to a
template key by masking its variable parts (numbers, hex, ids, ips, uuids, paths with digits,
single-quoted values), and folded into a per-template aggregate (count, first/last time and
position, the newest line as exemplar). Only the aggregates are held; when there are more than
``MAX_TEMPLATES`` of them (every line unique: garbage or binary), the weakest half is dropped.

At the end each template is scored from its exemplar:

- error signals with weights (OutOfMemory, killed by YARN, No space left on device, timed out,
  exit code N, AccessDenied, SlowDown, Path does not exist, exception class names, Caused by...),
  plus the severity level token (FATAL > ERROR > WARN > INFO > DEBUG);
- rarity: a template seen once outranks one seen ten thousand times;
- proximity: to ``failure_time`` when timestamps are known, else position near the end;
- stack frames (``at ...``, ``File "..", line N``) are pushed down so the exception line leads.

The best templates are rendered until the token budget is spent.

Template mining, the measured decision (benchmarks/loggen.py logs: Loghub Spark, Hadoop, HDFS and
OpenStack samples interleaved; Python 3.11, one core of a shared 2-core machine; two runs):

- drain3 0.9.11 ``TemplateMiner.add_log_message`` on every line (default config, no masking):
  8.3-11.3 s per 1,000,000 lines (90,000-120,000 lines/s), 173 clusters. That alone is slower
  than this whole module: ``compact`` took 4.0-5.5 s (180,000-270,000 lines/s) measured alongside.
- drain3 on the distinct masked keys only (once per new key, so nearly free: +0.9 s per 1M lines)
  merged 245 keys into 147 clusters with the same recall (1.0 on 60 seeds x 100,000 lines), but
  it merges different causes of the same shape: "Lost executor <*> on <*>: Container killed by
  YARN for exceeding memory limits" and "Lost executor <*> on <*>: Remote RPC client
  disassociated" became one cluster, as did "exit code <*> out of memory" and "exit code <*> bad
  input file". One exemplar would then hide the other cause. It also costs 33 ms of import.
So drain3 is not used: the masking key is faster, and two lines share a template only when they
differ in numbers, ids or quoted values, never in their words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from incident_responder.evidence.redaction import redact
from incident_responder.formats import TOKEN_CHARS, decoded_byte_lists, shorten_token

__all__ = [
    "ERROR_LEVELS",
    "JOINED",
    "MR_FATAL_TASK",
    "RETRIED",
    "ROUTINE_LEVELS",
    "CompactLine",
    "CompactResult",
    "LogLine",
    "at_memory_limit",
    "compact",
    "error_weight",
    "estimate_tokens",
    "glog_level",
    "is_bookkeeping",
    "is_routine",
    "log_level",
    "parse_timestamp",
    "template_key",
]

MAX_LINE_CHARS = 2000  # lines are cut here before anything else looks at them
TAIL_KEPT_UP_TO = 4 * MAX_LINE_CHARS  # ... keeping their end when they are no longer than this
MAX_EVENT_CHARS = 64_000  # a multi-line event (a stack trace) is read this far for its headline
KEY_CHARS = 512  # the template key is mined from the head of the line only
EXEMPLAR_CHARS = 400  # one evidence line in the report
WORD_CUT_SLACK = 24  # characters a cut line gives back to end on a whole word
# In a line over EXEMPLAR_CHARS: shortened in its middle. JSON's quotes, commas and brackets end a token: a blob
# written without spaces is many fields, not one token.
_LONG_TOKEN_RE = re.compile(rf"[^\s\",{{}}\[\]]{{{TOKEN_CHARS + 1},}}")
_CLAUSE_BREAK = re.compile(r"(?<=[.;])\s+(?=[A-Z])")
# The AWS SDK's request ids and proxy in an exception ("; Request ID: J8ZQ…; S3 Extended Request ID: p9S1…;
# Proxy: null"), and the AWS SDK for Go v2's (", RequestID: 9PD4…, HostID: Xq1L…="): for AWS Support, not for the
# reader; a line over EXEMPLAR_CHARS drops them first.
_SDK_IDS = re.compile(r"[;,]?\s*(?:S3 Extended |Extended )?Request ?ID: [\w+/=-]+|,\s*HostID: [\w+/=-]+"
                      r"|;\s*Proxy: null")
# An EC2 instance's private DNS name ("ip-172-31-31-49.us-east-2.compute.internal"): its first label names the
# host; the domain after it is the same on every line. A line over EXEMPLAR_CHARS keeps the first label (not in
# a URL: "hdfs://ip-10-12-3-41.eu-west-1.compute.internal:8020/tmp/" is a path to copy).
_PRIVATE_DNS = re.compile(r"(?<![/@])\b(ip-\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3})"
                          r"\.(?:[a-z0-9-]+\.)?(?:compute|ec2)\.internal\b")
TEMPLATE_CHARS = 200
MAX_TEMPLATES = 10_000  # above this the weakest half is dropped (bounded memory on unique lines)


@dataclass
class LogLine:
    """One log event: its text, its time (ISO-8601 UTC) when known, and where it came from."""

    message: str
    timestamp: str | None = None
    source: str = ""  # "group/stream" or an s3:// uri


@dataclass
class CompactLine:
    """One template of the compacted log, represented by a redacted exemplar line."""

    text: str  # redacted exemplar, one line, at most ~400 characters
    count: int
    first: str | None  # ISO-8601 UTC of the first occurrence, when known
    last: str | None
    score: float
    source: str
    template: str  # the masked template (redacted), e.g. "<*> ERROR Executor: Exception in task <*>"
    root: bool = False  # the root cause of a trace: its last "Caused by:", a chained traceback's first exception
    position: int = 0  # the line number (from 1) of its last occurrence in what was read: log order without times
    # Every Spark task attempt it reports lost was retried and the task finished; or every MapReduce attempt it
    # reports failed is of another task than the one the job failed for; or it is only ever the exception of a
    # routine (INFO, DEBUG) line that quotes it, a client's note of a retried call.
    recovered: bool = False
    raised_at: str | None = None  # where a Python traceback left the work's own code, with its source line

    def render(self) -> str:
        """The line as a report shows it: text, then repeat count and time span."""
        meta = []
        if self.count > 1:
            meta.append(f"x{self.count}")
        if self.first and self.last and self.first != self.last:
            meta.append(f"{self.first} .. {self.last}")
        elif self.last or self.first:
            meta.append(str(self.last or self.first))
        return f"{self.text}  ({', '.join(meta)})" if meta else self.text


@dataclass
class CompactResult:
    """The compacted log: ranked lines that fit the budget, and what was left out."""

    lines: list[CompactLine]  # ranked, best first
    total_lines: int
    total_bytes: int
    templates: int  # distinct templates seen (an upper bound when some were dropped and came back)
    omitted: int  # templates not shown
    truncated_input: bool  # some lines were cut at 2,000 characters or templates were dropped

    def footer(self) -> str:
        return f"[{self.omitted} other line templates omitted; {self.total_lines} lines read]"

    def render(self) -> str:
        """Lines (best first), one per line, and a footer saying what was left out; fits the budget."""
        body = [line.render() for line in self.lines]
        if self.omitted:
            body.append(self.footer())
        return "\n".join(body)


def estimate_tokens(text: str) -> int:
    """Conservative token estimate: UTF-8 bytes / 3.5, rounded up (~len/4 for English prose).

    Log text, full of ids and punctuation, tokenizes worse than prose, and non-ASCII worse still;
    counting bytes and dividing by 3.5 rather than 4 keeps the estimate on the high side.
    """
    if not text:
        return 0
    size = len(text) if text.isascii() else len(text.encode("utf-8", "replace"))
    return math.ceil(size / 3.5)


# ---------------------------------------------------------------------------------------------------
# Template key
# Token separators: white space, quotes, '=', ':', ',', ';', brackets. A token with a digit in it is
# masked whole (numbers, hex ids, uuids, ips, block ids, paths with digits), and so is a quoted value
# ('x', `x`, key="x"; JSON's "key": "value" is left alone, it carries the message). The lookbehind
# anchors a match at a token start and the possessive quantifier keeps it linear.
_SEP = r"""\s"'`=:,;()\[\]{}<>|"""
_MASK = re.compile(
    rf"""(?<![^{_SEP}])(?:[^{_SEP}\d]*+\d[^{_SEP}]*|'[^'\n]{{0,120}}'|`[^`\n]{{0,120}}`|(?<==)"[^"\n]{{0,120}}")"""
)


def template_key(message: str) -> str:
    """The masked template of one line: variable parts replaced by ``<*>``."""
    return _MASK.sub("<*>", message[:KEY_CHARS])


# ---------------------------------------------------------------------------------------------------
# Timestamps
_ISO_TS = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}:?\d{2})?"
)
_SPARK_TS = re.compile(r"\s*(\d{2})/(\d{2})/(\d{2}) (\d{2}):(\d{2}):(\d{2})\b")  # 17/11/25 18:23:24
_HDFS_TS = re.compile(r"\s*(\d{2})(\d{2})(\d{2}) (\d{2})(\d{2})(\d{2})\b")  # 081109 203615


def _tz(text: str | None) -> timezone:
    if not text or text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))


def parse_timestamp(text: str | None) -> datetime | None:
    """Parse an ISO-8601 string, or a timestamp leading a log line, to an aware UTC datetime.

    Leading formats: ISO-8601 (``2018-07-18T15:17:26.792Z``, also after a short prefix such as
    ``[ERROR]``), Hadoop ``2015-10-18 18:01:47,978``, Spark ``17/11/25 18:23:24`` and HDFS
    ``081109 203615``. Times without a zone are taken as UTC. Returns None when none is found.
    """
    if not text:
        return None
    head = text[:80]
    try:
        m = _ISO_TS.search(head)
        if m and m.start() <= 48:
            y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
            micro = int((m.group(7) or "0")[:6].ljust(6, "0"))
            return datetime(y, mo, d, h, mi, s, micro, tzinfo=_tz(m.group(8))).astimezone(UTC)
        m = _SPARK_TS.match(head) or _HDFS_TS.match(head)
        if m:
            y, mo, d, h, mi, s = (int(g) for g in m.groups())
            return datetime(2000 + y, mo, d, h, mi, s, tzinfo=UTC)
    except (ValueError, OverflowError):
        return None
    return None


def _iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---------------------------------------------------------------------------------------------------
# Scoring
# (weight, pattern, match the lower-cased text). Case-insensitive matching is done on a lower-cased
# copy because Python's re is several times slower on an alternation with re.IGNORECASE.
# Rust's words for a thread that panicked, before where it did ("thread 'main' panicked at src/main.rs:12:5:").
_RUST_PANIC = r"thread '[^'\n]{0,80}' panicked at "
_SIGNALS: list[tuple[float, re.Pattern[str], bool]] = [
    # Cause-class words (memory, kills, disk, time limits) name the failure itself: weighted so that a
    # bare line saying one outranks a generic "ERROR ... Exception" line with a level on top.
    (14, re.compile(
        r"outofmemory|java heap space|gc overhead limit exceeded|memoryerror|cannot allocate memory"
        r"|killed by yarn|exceeding (?:physical |virtual )?memory|beyond (?:physical|virtual) memory limits"
        r"|container killed|killed process"
        # a node lost under the work's containers (a Spot reclaim, a node YARN stopped hearing from)
        r"|released on a \*?lost\*? node|slave lost"
        r"|oom[-_ ]?kill|signal: killed|sigkill|no space left on device|no space available in any of the local dir"
        r"|disk quota exceeded|task timed out"
        # YARN's health check of a node's disks ("1/1 local-dirs are bad: /mnt/yarn", "used space above threshold of
        # 90.0%"): the node is taken out, its containers lost
        r"|(?:local|log)-dirs (?:are|is) bad|used space above threshold"
        r"|timed out after|segmentation fault|core dumped|states\.timeout|runtime\.exiterror"
        # a crash signal as the JVM's fatal error report names it ("#  SIGSEGV (0xb) at pc=0x00007f...")
        r"|\bsigsegv\b|\bsigbus \(0x7\)|\bsigill \(0x4\)"
        # a GPU the work could not use (then it crawls on the CPU into its time limit)
        r"|nvidia driver on your system is too old|cuda driver version is insufficient|no cuda gpus are available"
        r"|found no nvidia driver"), True),
    (9, re.compile(
        r"\b(?:exit(?:ed)?[ _-]?(?:code|status|value)|returned non-zero exit status|exitcode|failed with error code)"
        r"\W{0,3}(?:[1-9]\d*|-\d+)\b"),
        True),
    (8, re.compile(
        r"AccessDenied|Access Denied|access denied|not authorized to perform|Permission denied|Forbidden"
        r"|UnauthorizedOperation|SlowDown|Slow Down|reduce your request rate|Throttl|Rate exceeded"
        r"|ProvisionedThroughputExceeded|TooManyRequests|NoSuchKey|NoSuchBucket|Path does not exist"
        r"|EntityNotFound|Table not found|ResourceNotFound|FileNotFound|No such file|Connection refused"
        r"|UnknownHost|Name or service not known|Address already in use"
        r"|CannotPullContainer|ResourceInitializationError|HIVE_BAD_DATA|AnalysisException|ImportModuleError"),
        False),
    # A version the program cannot read, after whatever long prefix (onnxruntime's C++ signature before "Unsupported
    # model IR version: 10, max supported IR version: 9", microsoft/onnxruntime#20559): a cut keeps it in view.
    (8, re.compile(r"\b[Uu]nsupported (?:\w+ ){0,3}version\b|\bmax(?:imum)? supported (?:\w+ ){0,3}version\b"),
     False),
    # A limit or quota the work ran into ("Bytes scanned limit was exceeded", "exceeds the memory usage threshold").
    (8, re.compile(r"\b(?:limit|quota|threshold)s? (?:was |has been |is )?exceeded\b"
                   r"|\bexceed(?:s|ed|ing)? (?:the |its |your )?(?:[\w-]+ ){0,3}(?:limit|quota|threshold)"), True),
    # ... and Rust's report of a panic nothing caught ("thread 'main' panicked at src/main.rs:12:5:"), the runtime's
    # words for an uncaught failure as the traceback's are Python's
    (8, re.compile(rf"^\s*(?:Caused by:|Traceback \(most recent call last\)|{_RUST_PANIC})|(?:Exception|Error):"),
     False),
    # curl's own error line, its exit code in brackets ("curl: (60) SSL: no alternative certificate subject name
    # matches target hostname 'rates.example.com'", "curl: (6) Could not resolve host: ..."): often no error word.
    (8, re.compile(r"^(?:\S+\s+)?curl: \(\d+\) "), False),
    (7, re.compile(r"\b(?:FATAL|CRITICAL|SEVERE|PANIC|EMERG)\b"), False),
    # ... and a package manager or shell that has no such package or program ("No package python27 available.",
    # "E: Unable to locate package", "pip-2.7: command not found").
    (6, re.compile(r"Exception\b|[a-z]Error\b|\bdoes not exist\b|\bNo package \S+ available\b"
                   r"|\bUnable to locate package\b|\bcommand not found\b"), False),
    (5, re.compile(
        r"\b(?:ERROR|[Ee]rror|FAILED|[Ff]ailed|[Ff]ailure|[Cc]annot|[Uu]nable to|timed out|[Tt]imeout|refused"
        r"|[Ii]nvalid|[Kk]illed|[Dd]enied|[Aa]bort(?:ed|ing)?|[Uu]ncaught|[Pp]anic|CANCELL?ED"
        # a resolver's line for an artifact no repository had ("[NOT FOUND  ] javax.jms#jms;1.1!jms.jar")
        r"|NOT FOUND"
        # a package manager's refusal ("file /etc/init.d from install of chkconfig-1.3 conflicts with file from
        # package instance-controller-1.0"), a dependency resolver's ("conflicts with pandas==2.2")
        r"|conflicts with"
        # a value a program found outside what it can handle ("image width out of valid range (1->32767): 32819"),
        # often the last word before it crashes
        r"|out of (?:the )?(?:valid |allowed )?range"
        # a tool's report of a step it ran that failed ("Preparing metadata (pyproject.toml) did not run
        # successfully.": pip's build of a package)
        r"|did not run successfully)\b"), False),
    # YARN's verdict on an application, in the report its client prints ("diagnostics: Application ... submitted by
    # user hadoop to unknown queue: recsys"), not the report's routine "Application is Activated, waiting ...".
    (6, re.compile(r"^\s*diagnostics: (?!N/A\b|(?:\[[^\]]{0,60}\] )?Application is (?:Activated|Added))\S"), False),
    (2, re.compile(r"\bWARN(?:ING)?\b|\b[Rr]etry(?:ing)?\b|\b[Ww]arning\b"), False),
]
_LEVEL = re.compile(r"\b(FATAL|CRITICAL|SEVERE|ERROR|ERR|WARN|WARNING|INFO|NOTICE|DEBUG|TRACE)\b")
ROUTINE_LEVELS = frozenset({"INFO", "NOTICE", "DEBUG", "TRACE"})
ERROR_LEVELS = frozenset({"FATAL", "CRITICAL", "SEVERE", "ERROR", "ERR"})  # a line logged as an error
_LEVEL_BONUS = {"FATAL": 3.0, "CRITICAL": 3.0, "SEVERE": 3.0, "ERROR": 2.0, "ERR": 2.0, "WARN": 1.0,
                "WARNING": 1.0, "DEBUG": -1.0, "TRACE": -1.0}
_FRAME = re.compile(
    r"^\s*(?:at\s+[\w$.<>/\[\]-]+[.(]|File \"[^\"]*\", line \d+|\.\.\. \d+ (?:more|common frames omitted)"
    r"|\^+\s*$"
    # a native backtrace's frame and its heading (ChromeDriver's "Stacktrace:", then "#0 0x5631a8c4e8ba <unknown>")
    r"|#\d+ 0x[0-9a-f]+\b|Stacktrace:\s*$"
    # a Ruby backtrace's frame ("/app/vendor/bundle/.../kernel_require.rb:17:in `require'", "\tfrom bin/rails:4:in
    # `<main>'"); the line that raised has its message after the method and is no frame
    r"|(?:from\s+)?(?:[\w./@+-]+\.(?:rb|rake)|(?:[\w./-]+/)?bin/[\w-]+):\d+:in [`'][^`'\n]*'\s*$)"
)
# Node prints an error object's own fields after its last frame, on the frame's line ("    at TLSWrap.ssl.
# onhandshakedone (_tls_wrap.js:436:38) code: 'CERT_HAS_EXPIRED' }"): that line says what, not only where.
_NODE_FIELDS = re.compile(r"\)\s+(?:code|errno|syscall): ['\"\w-]")


def _is_frame(line: str) -> bool:
    """Whether a line is a stack frame (where, not what). Only a frame's line is searched for Node's fields."""
    return bool(_FRAME.match(line)) and not _NODE_FIELDS.search(line)
_CAUSED_BY = re.compile(r"^\s*Caused by:")
_PY_TRACE_HEAD = "Traceback (most recent call last)"  # a Python traceback's first line
_SUPPRESSED = "Suppressed: "  # an exception a failed close or clean-up added to the one thrown (Java)
# A frame of a Python traceback: its file, line and function ("  File "/opt/job/merge.py", line 61, in main").
_PY_FILE = re.compile(r'^\s*File "(?P<path>[^"]*)", line (?P<line>\d+)(?:, in (?P<func>\S+))?')


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


# Spark's task attempts: "Lost task 41.0 in stage 0.0" (or "Exception in task 41.0 ...") and "Finished task 41.1
# in stage 0.0". A lost attempt whose task later finished was recovered by Spark's own retry: a red herring.
_SPARK_LOST = re.compile(r"\b(?:Lost task|Exception in task|Task) (\d+)\.(\d+) in stage (\d+(?:\.\d+)?)")
_SPARK_FINISHED = re.compile(r"\bFinished task (\d+)\.(\d+) in stage (\d+(?:\.\d+)?)")
_TASKS_TRACKED = 64  # lost attempts remembered per template
# MapReduce's job client: "Task Id : attempt_1695085312418_0002_m_000117_0, Status : FAILED", and the task the
# job failed for: "Job job_… failed with state FAILED due to: Task failed task_1695085312418_0002_r_000007".
_MR_FAILED = re.compile(r"\bTask Id : attempt_(\d+_\d+)_([mr]_\d+)_(\d+), Status : FAILED")
MR_FATAL_TASK = re.compile(r"\bTask failed task_(\d+_\d+)_([mr]_\d+)")  # groups: job, task
# Spark's executor: "ERROR Executor: Exception in task 1.0 in stage 9612.0 (TID 38405)", the exception on the next
# event (CloudWatch keeps each line an event of its own).
_SPARK_TASK_HEAD = re.compile(r"\bException in task (\d+)\.(\d+) in stage (\d+(?:\.\d+)?) \(TID \d+\)\s*$")
# The driver's "Lost task 41.0 in stage 4.0 (TID 233) (host executor 2): org.apache.spark.SparkException: ...", whose
# frames and "Caused by:" follow on lines of their own (a log file read line by line): they tell of that attempt.
_SPARK_LOST_HEAD = re.compile(r"\bLost task (\d+)\.(\d+) in stage (\d+(?:\.\d+)?) \(TID \d+\)")
_MR_COMPLETED = re.compile(r"\bJob job_(\d+_\d+) completed successfully\b")  # every attempt it lost, retried
_DATED = re.compile(r"^\s*\[?\d{2,4}[-/]\d{2}[-/]\d{2}")
_PY_EXCEPTION = re.compile(r"[A-Za-z_][\w.]*(?::\s|$)")  # "pkg.mod.SomeError: message" or a bare class name
JOINED = " | "  # between the lines of one message or event that a compact line joins
_EXCEPTION_WEIGHT = 8.0  # as "Exception:" / "Error:" lines weigh
ROOT_CAUSE_BONUS = 4.0  # the last "Caused by:" of a trace, over the wrappers that repeat it
_EXCEPTION_LINE = re.compile(r"^\s*(?::\s+)?(?:Caused by:\s*)?[\w$.]*(?:Exception|Error|Failure)\b|^\s*[\w.]+Error:")
# The strong signals, heaviest first: a clipped line keeps the heaviest one in view ("is running beyond
# physical memory limits" over the "exitCode: -104" before it).
_STRONG = [re.compile(p.pattern, re.IGNORECASE) for w, p, _ in sorted(_SIGNALS, key=lambda s: -s[0]) if w >= 8]
# The cause-class words (memory, disk, kills, time limits; the heaviest signal): a cut never drops them from a line
# that has them.
_CAUSE_WORDS = _STRONG[0]


def _keeps_cause(clipped: str, cause: re.Match[str] | None) -> bool:
    """Whether ``clipped`` still shows a cause word, when the whole line had one (``cause``)."""
    return cause is None or _CAUSE_WORDS.search(clipped) is not None


def _strongest(text: str) -> re.Match[str] | None:
    for pattern in _STRONG:
        m = pattern.search(text)
        if m:
            return m
    return None


def error_weight(text: str) -> float:
    """Error weight of a line: the strongest signal, a little more for each further kind (0: no sign of an
    error or a warning at all)."""
    lower = text.lower()
    hits = [w for w, pattern, folded in _SIGNALS if pattern.search(lower if folded else text)]
    sev = (max(hits) + 0.5 * min(len(hits) - 1, 3)) if hits else 0.0
    level = log_level(text)
    if level:
        sev += _LEVEL_BONUS.get(level, 0.0)
    return max(sev, 0.0)


# glog's prefix, which gives the level as a letter before the date ("W1202 08:15:20.590871 1 pinned_memory_manager.cc:
# 236] Unable to allocate pinned system memory ..."): Triton, TensorFlow Serving, Kaldi and other C++ servers log so.
# TensorFlow's own C++ logging puts the letter after the date and time ("2019-08-15 03:12:39.814460: E tensorflow/
# stream_executor/cuda/cuda_dnn.cc:319] Loaded runtime CuDNN library: ...").
_GLOG = re.compile(r"^\s*(?:([IWEF])\d{4} \d{2}:\d{2}:\d{2}\.\d{3,6}\s+\d+ "
                   r"|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3,6}: ([IWEF]) )[\w./-]+:\d+\] ")
_GLOG_LEVELS = {"I": "INFO", "W": "WARNING", "E": "ERROR", "F": "FATAL"}


def glog_level(text: str) -> str | None:
    """The level of a line in glog's format (``_GLOG``), or None for a line in another."""
    glog = _GLOG.match(text)
    return _GLOG_LEVELS[glog.group(1) or glog.group(2)] if glog is not None else None


def log_level(text: str) -> str | None:
    """The level a log line was written at (the first level word near its start, or glog's letter), or None."""
    glog = glog_level(text)
    if glog is not None:
        return glog
    level = _LEVEL.search(text, 0, 120)
    return level.group(1) if level else None


# The JVM's logging facades about their own setup, printed at every start of a program with two bindings on its
# classpath ("SLF4J: Class path contains multiple SLF4J bindings.", "SLF4J: See http://www.slf4j.org/codes.html#
# multiple_bindings for an explanation.", "log4j:WARN No appenders could be found for logger ..."), and Hive's note of
# the logging configuration it read ("Logging initialized using configuration in file:/etc/hive/conf.dist/hive-log4j2.
# properties Async: false"): never the failure.
_FACADE_NOTE = re.compile(r"^\s*(?:(?:SLF4J|log4j):(?:WARN)? |Logging initialized using configuration in )")


def is_routine(text: str) -> bool:
    """Whether a line is routine: logged at INFO, NOTICE, DEBUG or TRACE, with no sign of an error; or a logging
    facade's note about its own setup (``_FACADE_NOTE``)."""
    return (log_level(text) in ROUTINE_LEVELS and not error_weight(text)) or bool(_FACADE_NOTE.match(text))


# yum's note after a mirror it could not read ("[Errno 12] Timeout on https://…/repomd.xml: (28, 'Connection
# timed out after 5000 milliseconds')", then "Trying other mirror."): the failure above it was passed over. If no
# mirror answers, yum says so on a line of its own ("Cannot retrieve repository metadata").
_OTHER_MIRROR = re.compile(r"^\s*Trying other mirror\.?\s*$")
# A line that reports an error being retried or passed over ("... retrying in 0.4s", "backing off"; a client that
# went on to another node of the service: "Node [10.0.1.7:9200] failed (...); selected next node [...]", "trying
# next host"; a client's count of its tries: "DescribeTable throttled ..., retry 1/5 in 200 ms"). "before retrying"
# is advice to a person (Athena's "clean the data at location ... before retrying"). The class rules read it on the
# failing line itself (diagnosis.classes.was_retried); here, a program's own note of it on the line after the
# failure ("[run_star] download attempt 1 of 3 failed, retrying in 10s") passes that occurrence over, unless the
# note names an exception of its own (_EXCEPTION_IN: another failure, not a note).
# The look-ahead on the words' first letters lets the search skip every other position at once (ten times faster
# than trying each alternative there).
RETRIED = re.compile(
    # (advice to retry, "Retrying may solve the problem.", is not a retry)
    # (nor a package or file of that name in a stack frame: "at com.google.api.gax.retrying.BasicRetryingFuture")
    r"(?i)(?=[rwbsta])\b(?:(?<![./\\])retrying\b(?![./\\]\w)(?<!before retrying)(?! (?:may|might|could|can|should) )"
    r"|will (?:be )?retr(?:y|ied)\b|backing off\b|recovered\b"
    # a client's own backoff ("Encountered a throttling event[ProvisionedThroughputExceededException] adding delay
    # of 10 ms": the Athena connectors' ThrottlingInvoker)
    r"|adding (?:a )?(?:delay|backoff) of\b"
    r"|succeeded after\b|selected next node\b|trying (?:the )?next (?:node|host|server|endpoint|broker|address)\b"
    # a program's count of what it retried and got past ("fetched 78 tiles (2 retried after HTTP 503)")
    # ... and a client that says it will ("Could not get connection to broker: Connection refused -- Will try again in
    # 0.1 s", Pulsar's ConnectionHandler, which reconnects)
    r"|trying again\b|will try again\b|retry \d+ ?(?:/|of) ?\d+ in \d|(?<=\d )retried after\b"
    # ... or that it made one ("s3 GetObject: retry attempt 1 after operation error S3: GetObject, ... SlowDown")
    r"|retry attempt \d+ (?:of \d+ )?after\b)")


def _quoted_by(message: str, previous: str) -> bool:
    """Whether ``message``, an undated exception line, is the trace of the routine line before it: a client
    that logs a retried failure at INFO or DEBUG with its exception ("INFO AmazonHttpClient: Unable to execute
    HTTP request: Connection reset", then "java.net.SocketException: Connection reset" and its frames). The
    exception is that line's, and weighs as little."""
    if _DATED.match(message) or not _EXCEPTION_LINE.match(message) or log_level(previous) not in ROUTINE_LEVELS:
        return False
    said = message.split(": ", 1)[1].strip() if ": " in message else ""
    return len(said) >= 8 and previous.rstrip().endswith(said)


# A warning a program logged with an exception's trace and went on from ("WARN UtilHelpers: Unexpected error read
# props file at ...", then "java.lang.IllegalArgumentException: Cannot read properties from dfs" and its "Caused by:
# java.io.FileNotFoundException: ... does not exist"): the trace is the warning's, and weighs as little. Spark's
# "WARN TaskSetManager: Lost task ..." is not passed over: the attempt it reports can be the one that ended the job.
_WARNED_NOT_PASSED = re.compile(r"\bLost task\b|\bTaskSetManager\b")


def _heads_warned_trace(message: str) -> bool:
    """Whether ``message`` is a warning that a trace of its own may follow (see ``_WARNED_NOT_PASSED``). Read on
    every line: the level is looked for only when the line says WARN at all."""
    return ("WARN" in message[:120] and log_level(message) in ("WARN", "WARNING") and not _EXCEPTION_LINE.match(message)
            and not _WARNED_NOT_PASSED.search(message))


_HELD_KEPT = 256  # exception lines of warnings' traces remembered (see _taken_up)


def _cause_key(message: str) -> str:
    """An exception line as a later trace would name it as its cause (without "Caused by:" and indentation)."""
    return _MASK.sub("<*>", _CAUSED_BY.sub("", message).strip()[:KEY_CHARS])


def _taken_up(held: dict[str, tuple[list[_Template], int]], message: str) -> None:
    """A failure's trace that names as its cause an exception a warning's trace showed before ("WARN BlockManager:
    Failed to fetch remote block ... (failed attempt 1)", then "java.util.concurrent.ExecutionException: Boxed Error"
    and its "Caused by: java.lang.OutOfMemoryError: Direct buffer memory"; later "Job aborted due to stage failure:
    ... BlockFetchException: Failed to fetch block from 1 locations. Most recent failure cause:", then "Caused by:
    java.util.concurrent.ExecutionException: Boxed Error"): the program did not go on from that exception, it
    failed of it. That exception and the causes printed under it weigh as the failure's own."""
    found = held.pop(_cause_key(message), None)
    if found is None:
        return
    trace, at = found
    for t in trace[at:]:
        t.quoted = max(0, t.quoted - 1)
    for key in [k for k, (other, _) in held.items() if other is trace]:
        del held[key]


def _in_warned_trace(message: str) -> bool:
    """Whether an undated line can continue a JVM trace logged under a warning: a frame, an exception or its
    "Caused by:". A Python traceback after a warning ("WARNING: Running pip as the 'root' user", a JVM's WARN) is
    what the interpreter printed on its way out, not the warning's: its header and frames end the warning's trace."""
    if _DATED.match(message) or message.startswith(_PY_TRACE_HEAD) or _PY_FILE.match(message):
        return False
    return _is_frame(message) or bool(_EXCEPTION_LINE.match(message))


def _root(cause: _Template, wrapper: _Template | None) -> None:
    """Mark the deepest "Caused by:" of a trace as its root cause; and the one above it too when that one says the
    same with what the client was doing ("SdkClientException: Unable to execute HTTP request: Timeout waiting for
    connection from pool" over "ConnectionPoolTimeoutException: Timeout waiting for connection from pool"): the
    words a person searches for are the wrapper's."""
    cause.root = True
    said = cause.last.split(": ", 2)[-1].strip() if cause.last.count(": ") >= 2 else ""
    if wrapper is not None and len(said.split()) >= 3 and wrapper.last.rstrip().endswith(said):
        wrapper.root = True


def _rarity(count: int) -> float:
    return 1.0 / (1.0 + math.log10(count))


# ---------------------------------------------------------------------------------------------------
# Lines
_PY_CHAIN_MARKERS = ("The above exception was the direct cause", "During handling of the above exception")


# Python gRPC's error, printed over lines of its own: "grpc._channel._InactiveRpcError: <_InactiveRpcError of RPC that
# terminated with:", then "\tstatus = StatusCode.RESOURCE_EXHAUSTED", "\tdetails = "Sent message larger than max
# (544715979 vs. 536870912)"", "\tdebug_error_string = "..."" and a closing ">" (flwrlabs/flower#3006). Joined into one
# line; the debug string repeats the details with the transport's bookkeeping and is left out.
_RPC_HEAD = re.compile(r"<_\w+ of RPC that terminated with:\s*$")
_RPC_FIELD = re.compile(r"^\s+(?:status|details|debug_error_string) = ")
_RPC_DEBUG = re.compile(r"^\s+debug_error_string = ")


def _rpc_part(line: str) -> str | None:
    """What ``line`` adds to the gRPC error above it (``_RPC_HEAD``): a field ("" for the debug string, left out),
    the closing ">", or None when it is no part of it."""
    if _RPC_FIELD.match(line):
        return "" if _RPC_DEBUG.match(line) else line.strip()
    return ">" if line.strip() == ">" else None


def _rpc_joined(lines: list[str]) -> list[str]:
    """``lines`` with each gRPC error's fields and closing ">" joined to its head line."""
    out: list[str] = []
    rpc = False
    for line in lines:
        part = _rpc_part(line) if rpc else None
        if part is not None:
            out[-1] += f" {part}" if part else ""
            rpc = part != ">"
            continue
        rpc = bool(_RPC_HEAD.search(line))
        out.append(line)
    return out


def _headline(message: str) -> str:
    """One line standing for a multi-line event: its first line and the exception, not the frames.

    Java: the first exception line and the last ``Caused by:`` (the root cause). Python: the exception
    line of the traceback (``KeyError: 'x'``, with the next line of its message), since the ``Traceback``
    header says nothing. An event
    without frames (pretty-printed JSON, a wrapped message) is joined into one line.
    """
    raw = _rpc_joined([p for p in message.splitlines() if p.strip()])
    parts = [p.strip() for p in raw]
    if not parts:
        return ""
    # A Python frame's source line, indented under its "File ..." line, is part of the frame: a log that writes
    # the traceback one frame per event ('  File "readers.py", line 912, in read_csv\n    return _read(...)')
    # shows no code as its cause.
    code = {i for i in range(1, len(raw)) if _PY_FILE.match(raw[i - 1])
            and _indent(raw[i]) > _indent(raw[i - 1]) and not _is_frame(raw[i])}
    body = [p for i, p in enumerate(parts) if not _is_frame(p) and i not in code]
    if not body:
        return parts[0]
    if len(body) == len(parts) and not parts[0].startswith("Traceback"):
        return " ".join(parts)
    if body[0].endswith(("{", "[")) and len(body) > 1:
        # An object printed over several lines with an error's frames inside (Node's console.log of
        # "{ level: 'error', message: 'copyObject() returned error:', error: AccessDenied: Access Denied\n at ...
        # }"): its fields without the frames, since its first line is only the brace.
        return " ".join(body)
    picked: list[str] = []
    if not body[0].startswith("Traceback"):
        picked.append(body[0])
    rest = body[1:]
    python = any(_PY_TRACE_HEAD in p for p in body)
    if not python and _EXCEPTION_LINE.match(body[0]) and parts[0] == body[0]:
        picked[0] = _with_message(parts, 0)
    # A Python traceback, also one a wrapper line opens ("PythonException: Traceback (most recent call
    # last):" from a Spark executor, "Error from Python:Traceback ..."): its last line is the exception.
    if python:
        python_exc = [p for p in rest if not p.startswith(("Traceback", "During handling", "The above"))]
        # A Py4J error carries the Java exception on a line of its own (": com.mysql...CommunicationsException:
        # Communications link failure"), above the Java chain's own root cause at the end.
        java = [p for p in python_exc[:-1] if p.startswith(": ") and _EXCEPTION_LINE.match(p)]
        if java:
            # ... with its message when that starts on the next line (": java.sql.SQLException: ", then "Error
            # (code 1204) while loading data into Redshift: \"String length exceeds DDL length\"").
            at = python_exc.index(java[0])
            picked.append(" ".join(python_exc[at:at + 2]) if _EMPTY_MESSAGE.search(java[0]) else java[0])
        # ... and that exception's Java chain: the root cause and the one it explains, as for a Java trace
        # ("Caused by: SparkException: Could not execute broadcast in 300 secs", then "Caused by:
        # TimeoutException: Futures timed out after [300 seconds]").
        caused = [p for p in python_exc if _CAUSED_BY.match(p)] if java else []
        if caused:
            picked += [_with_message(parts, parts.index(c)) if _NO_MESSAGE.search(c) else c for c in caused[-2:]]
        elif python_exc:
            # The exception line is the last one the traceback names an exception on; a message that goes
            # on over more lines ("ray.exceptions.OutOfMemoryError: Task was killed ...\nMemory on the node
            # ... exceeds the memory usage threshold") keeps its next line.
            at = max((i for i, p in enumerate(python_exc) if _EXCEPTION_LINE.match(p)), default=len(python_exc) - 1)
            picked.append(" ".join(python_exc[at:at + 2]))
        # A chained traceback ("The above exception was the direct cause of the following exception:"): the first
        # traceback's exception is the root cause, after the wrapper the last one raised.
        chained = next((i for i, p in enumerate(body) if p.startswith(_PY_CHAIN_MARKERS)), None)
        if chained is not None:
            root = [p for p in body[:chained] if _EXCEPTION_LINE.match(p) and not p.startswith("Traceback")]
            if root and not picked[-1].startswith(root[-1]):
                # (a root with no message of its own, "EOFError" under "AttributeError: 'EOFError' object has ...",
                # is named with the module that raised it: multiprocessing's connection, a worker that died)
                where = _raising_module(parts, parts.index(root[-1])) if _NO_MESSAGE.search(root[-1]) else None
                picked.append(f"{root[-1]} (raised in {where})" if where else root[-1])
    else:
        exc = [p for p in rest if _EXCEPTION_LINE.match(p)]
        if not exc and parts[0] == body[0] and len(body) > 1:
            # A message logged with its error's text on the lines after it, then frames ("resize 1200x1200 failed:
            # Error: vips__write: write failed\nunix error: No space left on device\nvips2png: unable to write to
            # buffer\n    at Sharp._pipeline ...", lovell/sharp#1661): the lines up to the first frame are its message.
            picked[0] = _with_message(parts, 0)
        if exc:
            picked.append(_with_message(parts, parts.index(exc[0])))
            # The root cause and the one it explains ("CommunicationsException: Communications link failure"
            # above "SocketTimeoutException: connect timed out"): the pair says what failed and why.
            causes = [p for p in exc if p.startswith(("Caused by:", ": "))]  # ": X": the exception Py4J wraps
            picked += [_with_message(parts, parts.index(p)) for p in causes[-2:] if p != exc[0]]
        if not any(_CAUSED_BY.match(p) for p in rest):
            # With no cause, the exception a failed close or clean-up added to the one thrown ("Suppressed:
            # java.io.IOException: No space left on device" under Picard's "Exception writing ReadEnds to
            # file.") is the one that says why.
            suppressed = [i for i, p in enumerate(parts) if p.startswith(_SUPPRESSED)]
            if suppressed:
                picked.append(_with_message(parts, suppressed[-1]))
    if not picked:
        picked.append(body[0])
    return JOINED.join(picked)


# An exception line that ends at its class: no message of its own.
_NO_MESSAGE = re.compile(r"[\w$.]+(?:Exception|Error)\s*:?\s*$")


def _raising_module(parts: list[str], at: int) -> str | None:
    """The file and function of the frame nearest above ``parts[at]`` (a Python traceback's last frame, whose
    exception it raised): "multiprocessing/connection.py, in _recv"."""
    for p in reversed(parts[max(0, at - 4):at]):
        m = _PY_FILE.match(p)
        if m and m.group("func"):
            return f"{'/'.join(m.group('path').split('/')[-2:])}, in {m.group('func')}"
    return None


def _with_message(parts: list[str], at: int) -> str:
    """The exception line ``parts[at]`` with the rest of its message: the lines after it up to its first frame
    or next exception. A message that goes on over a second line ("Cannot fetch offset 7881614 ...\nSome data
    may have been lost because they are not available in Kafka any more") keeps it; a longer one keeps its
    last two lines, where the detail is (Iceberg's "Cannot write incompatible dataset to table with schema:",
    the schema, then "Problems:\n* level should be required, but is optional")."""
    block: list[str] = []
    for p in parts[at + 1:]:
        if _is_frame(p) or _EXCEPTION_LINE.match(p) or _CAUSED_BY.match(p):
            break
        block.append(p)
    if not block and _NO_MESSAGE.search(parts[at]) and at + 1 < len(parts) and _is_frame(parts[at + 1]):
        # An exception without a message is told by where it was thrown ("Caused by: java.lang.
        # IllegalArgumentException", then "at org.apache.hudi.common.util.ValidationUtils.checkArgument(
        # ValidationUtils.java:31)": a precondition of Hudi's timeline, apache/hudi#6463).
        return f"{parts[at]} {parts[at + 1].strip()}"
    if len(block) > 3:  # its first line too, where a message begun on the next line says what it is
        return " ".join([parts[at], block[0], "…", *block[-2:]])
    return " ".join([parts[at], *block])


# The paths of a traceback's frames that are not the work's own code: installed packages, the interpreter's
# library, Lambda's runtime, a zipped library (Glue's pyspark.zip, py4j's).
_LIBRARY_PATH = re.compile(r"site-packages|dist-packages|/lib(?:64)?/python\d|^<|/var/runtime/|\.(?:zip|egg)/")
RAISED_AT_CHARS = 160  # the most a frame's account takes (path, line, function and source)


def _own_frame(frame: str) -> str | None:
    """``path:line in function`` of a traceback frame in the work's own code; None for a library's."""
    m = _PY_FILE.match(frame)
    if m is None or _LIBRARY_PATH.search(m["path"]):
        return None
    path = m["path"] if len(m["path"]) <= 60 else "…" + m["path"][-59:]
    return f"{path}:{m['line']}" + (f" in {m['func']}" if m["func"] else "")


def _with_source(where: str, source: str) -> str:
    text = f"{where}: {' '.join(source.split())}" if source.strip() else where
    return text if len(text) <= RAISED_AT_CHARS else text[: RAISED_AT_CHARS - 1] + "…"


def raised_in(message: str) -> str | None:
    """Where a Python traceback left the work's own code: its innermost frame outside the libraries, with the
    source line under it ("/tmp/merge.py:88 in main: for result in executor.map(start_merging, parts)"). The
    exception says what failed; this says which line of the job's code called into it. Of a chained traceback,
    the first one's (the root cause's). None when every frame is a library's, or there is no traceback."""
    if _PY_TRACE_HEAD not in message:
        return None
    lines = message.splitlines()
    found: str | None = None
    for i, line in enumerate(lines):
        if line.strip().startswith(_PY_CHAIN_MARKERS) and found is not None:
            break
        where = _own_frame(line)
        if where is not None:
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            source = nxt if _indent(nxt) > _indent(line) and not _is_frame(nxt) else ""
            found = _with_source(where, source)
    return found


# A qualified exception class before its message ("org.apache.hadoop.ipc.RemoteException(java.io.IOException): "),
# or a .NET inner exception's, by its namespace or its nesting (" ---> Interop+Crypto+OpenSslCryptographicException: "),
# or the AWS SDK for Go v2's error, the call and then the service's own words ("operation error S3: UploadPart, https
# response error StatusCode: 400, api error InvalidRequest: Content-MD5 OR x-amz-checksum- HTTP header is ...").
_BLAND_MESSAGE = "Exception of type '"  # .NET's message of an exception thrown without one
_INLINE_EXCEPTION = re.compile(r"\b(?:[a-z_]\w*\.)+[A-Z]\w*(?:Exception|Error)(?:\([\w.$]+\))?: "
                               r"|(?<=---> )(?:[A-Za-z_]\w*[.+])*[A-Z]\w*(?:Exception|Error): "
                               r"|\boperation error [\w -]{1,40}: \w+, ")
ARN_CHARS = 120  # an ARN is shortened only past this
HEX_KEPT = 8  # characters kept of a long hex id in a line over EXEMPLAR_CHARS
_HEX_ID = re.compile(r"\b[0-9a-f]{24,}\b")
LITERAL_KEPT = 48  # characters kept of a long quoted value
# A quote that opens a value follows a space, a bracket or a separator; an apostrophe inside a word ("Spark 3.0+'s
# calendar", "can't") opens none.
_LONG_LITERAL = re.compile(r"""(?:(?<=^)|(?<=[\s=:(\[{,]))(['"])((?:(?!\1)[^|]){100,})\1""")


# The value of an error's message or reason field (an SDK error object logged whole: '{ "message": "The level of
# configured provisioned throughput for the table was exceeded. ...", "code": ...}'): the reason itself, not data.
_REASON_KEY = re.compile(r"""(?i)["']?\b(?:message|errorMessage|error_message|reason|cause|detail)["']?\s*[:=]\s*$""")
_ERROR_WORDS = 5.0  # the weight of a line's plain error words ("error", "failed", "invalid", "denied")


def _shorten_literals(text: str) -> str:
    """``text`` with each very long quoted value cut to its first ``LITERAL_KEPT`` characters, but one that
    reads as an error itself (a database error's detail field: redshift_connector's ``'D': 'error: Spectrum
    Scan Error ... longer than the length defined in the table'``): that is the reason, not data."""
    def cut(q: re.Match[str]) -> str:
        if error_weight(q.group(2)) >= _ERROR_WORDS or _REASON_KEY.search(text, 0, q.start()):
            # ... though a long value quoted inside the reason is data again (a JSON log line's "message": "…
            # Value '[PartitionValueList(…), …]' at 'partitionsToDelete' failed to satisfy constraint: …").
            return f"{q.group(1)}{_shorten_literals(q.group(2))}{q.group(1)}"
        return f"{q.group(1)}{q.group(2)[:LITERAL_KEPT].rstrip()}…{q.group(1)}"

    return _LONG_LITERAL.sub(cut, text)


# A JSON document's error fields, which a clipped line keeps in view ("errorCode": "…", "errorMessage": "…").
ADVICE_CHARS = 160  # at most this much of a long line's advice sentence is kept (_ADVICE)
_ADVICE = re.compile(r"(?i)\b(?:you can set|try setting|consider (?:increasing|setting|raising)|to avoid this,? "
                     r"(?:increase|set)|please set)\s+['\"`]?[a-z][\w-]*(?:\.[\w-]+){2,}")
# IAM's refusal names who was refused what, on which resource, and why ("User: arn:…/ecs-etl-ec2-instance-role/i-0f3a…
# is not authorized to perform: s3:PutObject on resource: … because no identity-based policy allows the s3:PutObject
# action"): past a long wrapper, that clause is what a clipped line keeps, as it keeps advice (_with_advice).
_REFUSAL = re.compile(r"\b(?:User: \S{1,120} )?is not authorized to perform: [\w:*-]+")
_REFUSED_RESOURCE = re.compile(r"(on resource: \"?\S{36})\S{4,}(?=\s|$)")
_ERROR_FIELD = re.compile(r'"(?:error(?:Code|Message|Type|_code|_message)?|errors|reason|cause|detail)"\s*:\s*[\[{"]')
# Elasticsearch's and OpenSearch's error, its root cause nested last ("'caused_by': {'type':
# 'illegal_argument_exception', 'reason': 'Vector dimension mismatch. Expected: 1536, Given: 1024'}"): the deepest
# reason says why.
_CAUSED_BY_REASON = re.compile(r"""caused_by['"]?\s*:\s*\{[^{}]{0,200}?['"]reason['"]\s*:\s*['"]([^'"]{1,400})""")
# The XML error body of S3 and the other AWS query APIs quoted in a client's error (Mountpoint's "error_response_body:
# Some("<?xml ...><Error><Code>NotImplemented</Code><Message>Operation Not Implemented.</Message><RequestId>...")":
# its code and message say why; its request and host ids after them are bookkeeping.
_XML_ERROR = re.compile(r"<Code>\w+</Code>(?:<Message>[^<]{0,200}</Message>)?")


def _boundary(text: str, start: int, end: int, chars: str) -> int:
    """The position of the last of ``chars`` in ``text[start:end]`` (a word's or a JSON field's edge), or -1."""
    return max(text.rfind(c, start, end) for c in chars)


def _word_cut(text: str, end: int, start: int = 0) -> str:
    """``text[start:end]``, its end moved back to the last space before it when one is near: a cut line ends on
    a whole word ("... addressed using the specified…", not "...specified endpoin…")."""
    if end >= len(text):
        return text[start:]
    space = text.rfind(" ", max(start, end - WORD_CUT_SLACK), end)
    return text[start:space] if space > start else text[start:end]


def _clip(text: str, limit: int = EXEMPLAR_CHARS) -> str:
    """Cut a line to ``limit`` characters, keeping the first strong error signal in view. A line over the
    limit first has its very long tokens (S3 paths, ARNs, ids) shortened in their middle, so the fields
    after them stay whole ("… part-00004-7c1e…c000.snappy.parquet. Column: [id], Expected: bigint, Found:
    INT32")."""
    text = text.replace("\r", " ").replace("\n", JOINED)
    if len(text) <= limit:
        return text
    # The request ids go first, whole (shortened, they would no longer read as ids), then hosts' domains.
    text = _SDK_IDS.sub("", text)
    if len(text) <= limit:
        return text
    if ".internal" in text:
        text = _PRIVATE_DNS.sub(r"\1", text)
        if len(text) <= limit:
            return text
    # An ARN names the role or resource to fix ("assumed-role/orders-emr-ec2-role/i-0a4f…"): it keeps more.
    text = _LONG_TOKEN_RE.sub(lambda t: shorten_token(t.group(0), ARN_CHARS if t.group(0).startswith("arn:")
                                                      else TOKEN_CHARS), text)
    if len(text) <= limit:
        return text
    # A long hex id (Ray's node and worker ids, a hash) is bookkeeping: its head is enough to tell it apart.
    text = _HEX_ID.sub(lambda h: h.group(0)[:HEX_KEPT] + "…", text)
    if len(text) <= limit:
        return text
    # A long quoted value is data (the 100 partitions a call was refused for): the reason around it is
    # what to keep ("at 'partitionsToDelete' failed to satisfy constraint: Member must have length less than
    # or equal to 25").
    text = _shorten_literals(text)
    if len(text) <= limit:
        return text
    # A headline of joined parts ("wrapper | … | Caused by: root"): the last part, the root cause, whole, after
    # as much of the first as fits.
    cause = _CAUSE_WORDS.search(text)
    head, sep, last = text.rpartition(JOINED)
    if sep and len(last) <= limit - 45:
        cut = head.rfind(" ", 0, limit - len(last) - 5)
        # ... unless a cause word lies in what the cut drops (ffmpeg's "No space left on device" in the middle of
        # the progress lines an exception's message carries): the cut around the strongest signal below keeps it.
        clipped = f"{head[:cut]} … | {last}"
        if cut >= 20 and _keeps_cause(clipped, cause):
            return clipped
    # A chain of exceptions on one line ("RuntimeException: …HiveException: …RemoteException(java.io.IOException):
    # File … could only be written to 0 of the 1 minReplication nodes"): the deepest one's message, after the head.
    # ... but not one that says nothing of its own (.NET's inner "HttpErrorResponseException: Exception of type
    # 'Amazon.Runtime.Internal.HttpErrorResponseException' was thrown." under the service's refusal).
    root = max((e for e in _INLINE_EXCEPTION.finditer(text) if not text.startswith(_BLAND_MESSAGE, e.end())),
               key=lambda e: e.start(), default=None) or _flat_traceback_root(text)
    if root is not None and root.start() > limit // 3:
        tail = text[root.start() :]
        head = text[: limit // 4]
        head = head[: head.rfind(" ")] if " " in head else head
        first = _INLINE_EXCEPTION.search(head)
        if first is not None and len(head) + len(tail) + 4 > limit:  # the first exception's class is enough
            head = head[: first.end() - 1]
        room = limit - len(head) - 4
        advised = _with_advice(tail, room)
        if advised is not None:
            return f"{head} … {advised}"
        clipped = f"{head} … {_word_cut(tail, room)}" + ("…" if len(tail) > room else "")
        if _keeps_cause(clipped, cause):
            return clipped
    m = _strongest(text)
    if m and m.end() > limit - 20:
        head = _word_cut(text, limit // 3)
        start = max(m.start() - limit // 6, len(head))
        # ... from the start of the word or field it falls in ("FROM_OR_TO_VERTEX_ARE_MISSING", not "…SING").
        bound = _boundary(text, len(head), start, ' ,{["')
        if bound >= 0 and start - bound <= 48:
            start = bound + 1
        tail = _word_cut(text, start + limit - len(head) - 3, start)
        return f"{head} … {tail}" + ("…" if start + len(tail) < len(text) else "")
    # A service's error body past the cut (a search engine's nested root cause, an S3 error's code and message):
    # as much of the head as fits, then the reason.
    if m is None or m.end() <= limit - 20:
        nested = list(_CAUSED_BY_REASON.finditer(text)) if "caused_by" in text else []
        if nested and nested[-1].start() > limit // 2:
            reason = nested[-1].group(1)[: limit // 3]
            return f"{_word_cut(text, limit - len(reason) - 20)} … caused by: {reason}…"
        xml = _XML_ERROR.search(text, limit // 2) if "<Code>" in text else None
        if xml is not None and len(xml.group(0)) < limit // 3:
            tail = xml.group(0) + ("…" if xml.end() < len(text) else "")
            return f"{_word_cut(text, limit - len(xml.group(0)) - 4)} … {tail}"
    # A JSON document logged whole (a loader's status, an API's response): its error fields say why, past the
    # bookkeeping before them ({"status": …, "errorLogs": [{"errorCode": "FROM_OR_TO_VERTEX_ARE_MISSING", …}]}).
    field = _ERROR_FIELD.search(text, limit // 2)
    if field is not None and (m is None or m.end() <= limit - 20):
        head = text[: limit // 3]
        cut = _boundary(head, 0, len(head), ' ,{')
        head = head[: cut + 1] if cut >= limit // 6 else head
        tail = _word_cut(text, field.start() + limit - len(head) - 4, field.start())
        return f"{head} … {tail}" + ("…" if field.start() + len(tail) < len(text) else "")
    advised = _with_advice(text, limit, refusal=True)
    if advised is not None and (m is None or m.group(0) in advised or _REFUSAL.search(advised)):
        return advised
    # A short last clause often holds the particulars ("… .parquet. Column: [id], Expected: bigint, Found:
    # INT32"): keep it after the head, which is cut at a space.
    breaks = list(_CLAUSE_BREAK.finditer(text))
    # ... not a header of what the line goes on to list ("Top 10 memory users:").
    if breaks and len(text) - breaks[-1].end() <= limit // 4 and not text.rstrip().endswith(":"):
        tail = text[breaks[-1].end():]
        head_end = text.rfind(" ", 0, limit - len(tail) - 3)
        if head_end > limit // 2 and (m is None or m.end() <= head_end):  # never drop the error signal
            return f"{text[:head_end]} … {tail}"
    return _word_cut(text, limit - 1) + "…"


# A Python traceback logged on one line (pip's "Complete output from command python setup.py egg_info:
# Traceback (most recent call last):   File "/tmp/pip-build-…/setup.py", line 624, in <module> …   OSError: 'git' was
# not found"): its exception is the first bare class name after the last frame.
_FLAT_TRACEBACK = re.compile(r"Traceback \(most recent call last\):")
_BARE_EXCEPTION = re.compile(r"(?<![\w.'\"])[A-Z]\w*(?:Error|Exception|Exit|Interrupt): ")
_FLAT_FRAME = re.compile(r'File "[^"]+", line \d+, in ')


def _flat_traceback_root(text: str) -> re.Match[str] | None:
    """The exception of a one-line Python traceback in ``text`` (``_FLAT_TRACEBACK``), or None."""
    header = _FLAT_TRACEBACK.search(text)
    if header is None:  # ... or its frames, where a cut line lost the header before them
        frames = list(_FLAT_FRAME.finditer(text))
        return _BARE_EXCEPTION.search(text, frames[-1].end()) if len(frames) >= 2 else None
    frame = text.rfind('File "', header.end())
    return _BARE_EXCEPTION.search(text, frame if frame >= 0 else header.end())


def _with_advice(text: str, room: int, refusal: bool = False) -> str | None:
    """``text`` in ``room`` characters with the sentence past the cut that names the setting to change (``_ADVICE``,
    at most ``ADVICE_CHARS``) kept after as much of the message as fits: "… You can set spark.sql.legacy.parquet.
    datetimeRebaseModeInRead to 'LEGACY' …" after Spark's long explanation (apache/hudi#6278); or, with no advice, an
    IAM refusal's clause (``_REFUSAL``) when ``refusal``. None when no such sentence lies past what a plain cut
    shows."""
    if len(text) <= room:
        return None
    advice = _ADVICE.search(text, room // 2)
    if advice is None:
        refused = _REFUSAL.search(text, room // 3) if refusal else None
        if refused is None:
            return None
        # Who, what, and why; the resource's name shortened ("on resource: "arn:aws:s3:::acme-orders-curated/ord…").
        end = text.find(". ", refused.start())
        clause = _REFUSED_RESOURCE.sub(r"\1…", text[refused.start() : end + 1 if end >= 0 else len(text)])
        rest = clause[: 2 * ADVICE_CHARS]
        said = text[: max(room - len(rest) - 3, 0)]
        said = said[: said.rfind(" ")] if " " in said else said
        return f"{said} … {rest}" + ("…" if len(clause) > len(rest) else "")
    end = text.find(". ", advice.start())
    rest = text[advice.start() : end + 1 if 0 <= end < advice.start() + ADVICE_CHARS
                else advice.start() + ADVICE_CHARS]
    if advice.start() + len(rest) <= room:
        return None  # a plain cut shows it whole
    said = text[: min(advice.start(), max(room - len(rest) - 3, 0))]
    said = said[: said.rfind(" ")] if " " in said else said
    return f"{said} … {rest}" + ("" if rest.endswith(".") else "…")


class _Template:
    __slots__ = ("count", "exception", "first_ts", "frame", "last", "last_pos", "last_ts", "lost", "named", "prelim",
                 "quoted", "raised_at", "root", "source")

    def __init__(self, message: str, pos: int, ts: datetime | None, source: str) -> None:
        self.count = 1
        self.first_ts = ts
        self.last = message
        self.last_pos = pos
        self.last_ts: str | None = None  # the raw LogLine.timestamp of the newest occurrence
        self.source = source
        # A stack frame, or the source line a Python traceback logged one line per event shows under one ("    cursor.
        # execute(stmt, args)"): where, not what.
        self.frame = _is_frame(message)
        self.prelim = 0.0 if self.frame else error_weight(message)
        self.root = False  # the last "Caused by:" of a stack trace somewhere: the root cause
        self.exception = False  # the exception line that ends a Python traceback logged one line per event
        self.lost: list[tuple[str, str, int]] | None = None  # task attempts it reported lost (bounded)
        self.quoted = 0  # occurrences a neighbouring line shows were passed over (see _quoted_by, _OTHER_MIRROR)
        self.raised_at: str | None = None  # where a Python traceback left the work's own code (raised_in)
        self.named = False  # the package pip was installing when its build failed (_PIP_FAILED)


class _Attempts:
    """The task attempts a log reports, to tell a red herring (an attempt the job got past) from the failure.

    Spark: "Lost task 3.0 in stage 2.0" is recovered when a later attempt of that task finished ("Finished task
    3.1 in stage 2.0"). MapReduce's job client: "Task Id : attempt_<job>_m_000117_0, Status : FAILED", with the
    untimed lines under it (the attempt's error), is recovered when the job failed for another task ("Task failed
    task_<job>_r_000007") or completed ("Job job_<job> completed successfully": what failed after it did so on its
    own). Spark's executor logs "Exception in task 1.0 in stage 9612.0 (TID 38405)" with the exception on the lines
    after it, as the job client does a MapReduce attempt's; the driver's "Lost task" line has its frames and causes
    under it too."""

    __slots__ = ("attempt", "completed", "failed_for", "finished")

    def __init__(self) -> None:
        self.finished: dict[tuple[str, str], int] = {}  # Spark (task, stage) -> the highest attempt that finished
        self.failed_for: set[tuple[str, str]] = set()  # MapReduce (task, "mr:" + job) a job failed for
        self.attempt: tuple[str, str, int] | None = None  # the task attempt the untimed lines now tell of
        self.completed: set[str] = set()  # "mr:" + the MapReduce jobs that completed

    def note(self, t: _Template, message: str) -> None:
        """Note what ``message`` (an occurrence of ``t``) says of task attempts."""
        if self.attempt is None and "ask" not in message and "completed successfully" not in message:
            return  # no task named ("Task Id", "Lost task", "Exception in task"), none being told of
        failed = _MR_FAILED.search(message) if "Task Id" in message else None
        head = (_SPARK_TASK_HEAD.search(message) if "Exception in task" in message
                else _SPARK_LOST_HEAD.search(message) if "Lost task" in message else None)
        if failed:
            self.attempt = (failed[2], "mr:" + failed[1], int(failed[3]))
        elif head:
            self.attempt = (head[1], head[3], int(head[2]))
        elif self.attempt is not None and not _DATED.match(message):
            _lose(t, [self.attempt])  # the failed attempt's error, on a line of its own
        else:
            self.attempt = None
        if "completed successfully" in message:
            self.completed.update("mr:" + m[1] for m in _MR_COMPLETED.finditer(message))
        if "task" not in message and not failed:
            return
        for m in _SPARK_FINISHED.finditer(message):
            key = (m[1], m[3])
            self.finished[key] = max(self.finished.get(key, -1), int(m[2]))
        fatal = {(m[2], "mr:" + m[1]) for m in MR_FATAL_TASK.finditer(message)}
        self.failed_for |= fatal
        if fatal or _SPARK_FINISHED.search(message):
            return
        _lose(t, [(m[1], m[3], int(m[2])) for m in _SPARK_LOST.finditer(message)]
              + ([self.attempt] if failed and self.attempt else []))

    def recovered(self, t: _Template) -> bool:
        """Whether the job got past every task attempt ``t`` reports lost (see the class docstring)."""
        jobs = {job for _, job in self.failed_for}

        def past(task: str, stage: str, attempt: int) -> bool:
            if stage.startswith("mr:"):
                return stage in self.completed or (stage in jobs and (task, stage) not in self.failed_for)
            return self.finished.get((task, stage), -1) > attempt

        return bool(t.lost) and all(past(*lost) for lost in t.lost or [])


def _lose(t: _Template, attempts: list[tuple[str, str, int]]) -> None:
    """Remember on ``t`` the task attempts it reports lost (bounded, each once)."""
    for attempt in attempts:
        if t.lost is None:
            t.lost = []
        if len(t.lost) < _TASKS_TRACKED and attempt not in t.lost:
            t.lost.append(attempt)


def _prune(templates: dict[str, _Template], seen: int) -> int:
    """Drop the weakest half of the templates; returns how many were dropped."""
    keep = MAX_TEMPLATES // 2

    def strength(item: tuple[str, _Template]) -> float:
        t = item[1]
        return t.prelim * (0.35 + 0.65 * _rarity(t.count)) + 1.5 * (t.last_pos / max(seen, 1)) ** 8

    ranked = sorted(templates.items(), key=strength, reverse=True)
    templates.clear()
    templates.update(ranked[:keep])
    return len(ranked) - keep


def _proximity(t: _Template, first: datetime | None, last: datetime | None, failure: datetime | None,
               total: int) -> float:
    lo, hi = first or last, last or first
    if failure is not None and lo is not None and hi is not None:
        if lo <= failure <= hi:
            gap = 0.0
        else:
            gap = min(abs((failure - lo).total_seconds()), abs((failure - hi).total_seconds()))
        return 1.0 / (1.0 + gap / 120.0)
    return (t.last_pos / max(total, 1)) ** 8


# Lambda's per-invocation bookkeeping (START/END RequestId, INIT_START, platform lines): it frames an
# invocation but never says why it failed, so it is no evidence. A REPORT line is bookkeeping too,
# unless its Max Memory Used reached its Memory Size: then it is the evidence of an out-of-memory kill.
# The JVM's start-up notice of its options ("Picked up JAVA_TOOL_OPTIONS: -XX:+ExitOnOutOfMemoryError") is
# bookkeeping too: its flags name errors that did not happen.
_BOOKKEEPING = re.compile(
    r"^\s*(?:\d{4}-\d{2}-\d{2}T[\d:.]+Z?\s+)?(?:(?:START|END|REPORT) RequestId:|INIT_START |INIT_REPORT |"
    r"RUNTIME_DONE |XRAY TraceId:|EXTENSION\s+Name:|Picked up (?:JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS):"
    # Hive's CLI after each statement ("Time taken: 1.214 seconds, Fetched: 3 row(s)"): how long, never why.
    r"|Time taken: \d+(?:\.\d+)? seconds?(?:, Fetched: \d+ rows?(?:\(s\))?)?\s*$)")
_REPORT_MEMORY = re.compile(r"Memory Size:\s*(\d+)\s*MB\s+Max Memory Used:\s*(\d+)\s*MB")
_EXIT_ONLY = re.compile(r"\bError Type: Runtime\.ExitError\s*$")


# A blank line, or one of rules and frames only ("::::::::::", "=====", "----"): it says nothing.
_BLANK = re.compile(r"[\s\-=:*#~_+|.]*")


# pip's build of a package that failed: its own lines never name the package ("error: subprocess-exited-with-error",
# "Preparing metadata (pyproject.toml) did not run successfully.", "error: metadata-generation-failed"); the last
# package it was fetching does ("Collecting numpy", then "  Downloading numpy-2.3.0.tar.gz (20.4 MB)": a source
# archive, so a build), and stands with them. pip's boilerplate under them ("note: This error originates from a
# subprocess, and is likely not a problem with pip.", "hint: See above for details.", "[end of output]") says nothing.
_PIP_FETCH = re.compile(r"^\s*(?:Collecting \S|(?:Downloading|Using cached) \S+\.(?:tar\.gz|tar\.bz2|zip)\b)")
_PIP_FAILED = re.compile(r"\berror: (?:subprocess-exited-with-error|metadata-generation-failed)\b"
                         r"|\b(?:Preparing metadata|Getting requirements to build wheel) \([\w.]+\) "
                         r"did not run successfully")
_PIP_BOILERPLATE = re.compile(r"^\s*(?:note: This (?:error originates from a subprocess, and is likely not a problem "
                              r"with pip|is an issue with the package mentioned above, not pip)\.|hint: See above for "
                              r"(?:details|output)\.|(?:╰─> )?(?:See above for output\.|\[(?:end of output|\d+ lines? "
                              r"of output)\]))\s*$")


def at_memory_limit(message: str) -> bool:
    """Whether a line is a Lambda REPORT line whose Max Memory Used reached its Memory Size."""
    memory = _REPORT_MEMORY.search(message) if "REPORT RequestId:" in message else None
    return bool(memory and int(memory.group(2)) >= int(memory.group(1)))


def is_bookkeeping(message: str) -> bool:
    """Whether a log line is bookkeeping, never a cause: Lambda's (START/END/REPORT RequestId ...), or pip's notes
    under a failed build (_PIP_BOILERPLATE)."""
    # ... unless it says why the runtime failed ("INIT_REPORT ... Status: error\tError Type: Runtime.OutOfMemory"), or
    # that the request ran out of time ("REPORT ... Status: timeout": in Lambda's JSON log format, the only line that
    # says so). "Error Type: Runtime.ExitError" says only that the process ended, which the error itself says.
    return ((bool(_BOOKKEEPING.match(message)) and not at_memory_limit(message)
             and ("Error Type:" not in message or bool(_EXIT_ONLY.search(message)))
             and "Status: timeout" not in message) or bool(_PIP_BOILERPLATE.match(message)))


# An exception whose message goes on over more lines before its stack frames, in a log written line by line
# (an EMR step's stderr.gz, a container log): "java.lang.IllegalStateException: Cannot fetch offset 7881614
# (...). " then "Some data may have been lost because they are not available in Kafka any more; ...", then
# "\tat org.apache...". The message's lines are one line of evidence: its second line may hold the reason.
_EXCEPTION_IN = re.compile(r"(?:Exception|Error)\b:\s")  # searched for: a class name before it adds nothing
_EMPTY_MESSAGE = re.compile(r"(?:Exception|Error):\s*$")
# Rake's report of a task that raised: "rails aborted!" (or "rake aborted!"), then the exception's message on the
# lines after it ("Set SAFETY_ASSURED=1 to run this task in production", a RuntimeError printed without its class:
# r7kamura/mastodon-terraform#25), then the frames. An exception with no message of its own on its line.
_RAKE_ABORTED = re.compile(r"^\s*(?:rake|rails) aborted!\s*$")
# An exception that a message begun on the next line ends at: a class by its full name, or a "Caused by:".
_NEXT_EXCEPTION = re.compile(r"^\s*(?:Caused by:|(?:[\w$]+\.)+[\w$]*(?:Exception|Error)\b)")
# The exception line that ends a Python traceback: "package.module.SomeError: message", unindented.
_PY_EXCEPTION_END = re.compile(r"^[A-Za-z_][\w.]*(?:Exception|Error|Warning|Exit|Interrupt)\b: ")
_STAMPED = re.compile(r"^\s*\[?(?:\d{2,4}[-/]\d{1,2}[-/]\d{1,2}|\d{1,2}:\d{2}:\d{2})")
# YARN's application report, as the Spark or MapReduce client prints it line by line: its "diagnostics:" field
# goes on over lines of its own ("... AM Container for appattempt_… exited with  exitCode: -100", then "Failing
# this attempt.Diagnostics: Container released on a *lost* node") up to the report's next field ("\t
# ApplicationMaster host: N/A"). The field is one line of evidence: its last line says why.
_REPORT_DIAGNOSTICS = re.compile(r"^\s+diagnostics: (?!N/A\s*$)")
_REPORT_FIELD = re.compile(r"^\s+[A-Za-z][\w ]{1,40}: ")
_REPORT_NOISE = re.compile(r"^(?:For more detailed output, check the application tracking page"
                           r"|\. Failing the application)")
# dbt's error block: a header naming what failed ("Database Error in model fct_payments (models/...sql)"), then
# the database's message on lines indented under it ("  SSL connection has been closed unexpectedly",
# dbt-labs/dbt-core#4479), each line its own log event. dbt 1.x puts a time before each line ("06:20:36  ").
# The block is one line of evidence: the header says where, the indented lines why.
_CLOCK = re.compile(r"^\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:\s+\|)?(?=\s)")
# Hive's debugging block heads its reading of the failed task the same way ("Possible error:", then "  Out of memory
# due to hash maps used in map-side aggregation.", then "Solution:").
_INDENTED_HEAD = re.compile(r"^\s*(?:(?:Database|Runtime|Compilation|Dependency|Parsing) Error in \w"
                            r"|Possible error:\s*$)")
WRAPPED_LINES = 6  # at most this many lines of one message are joined: its first and its last five
HELD_LINES = 40  # a message longer than this before its first frame is not one message
_CHAINED = ("During handling of the above exception", "The above exception was the direct cause")
_TRACEBACK_TEXT = ("Traceback", *_CHAINED)


# A program's output carried in an error's message as a Python bytes literal, its lines joined by escaped newlines
# (a subprocess's stderr in a CalledProcessError, or in the pipeline's own "conversion failed: b'' b\"Loading
# required package ...\nError in ...: Unable to allocate 267. GiB ...\nExecution halted\n\""). Each of its lines is
# read as a line of the log: its cause is one of them, often past any length a single line is kept to.
_BYTES_OUTPUT = re.compile(r"""\bb(["'])(?=(?:(?!\1).)*?\\n(?:(?!\1).)*?\\n)((?:(?!\1).)*)\1""")
OUTPUT_LINES = 60  # at most this many lines of one embedded output are read


# A log agent that groups lines into events by how a record starts (awslogs' datetime format or multiline pattern,
# FireLens's multiline parser) appends every line that does not start like one to the record before: the traceback
# the interpreter printed on its way out, a native library's "terminate called after throwing", the shell's
# "Killed", a program's undated output. Under a routine or warning record, or a dated one with no level, the lines
# from the first that is not the record's own are read as the lines they were written as (_unjoined). The record's
# own: lines indented under it (a message's continuation, a dump, frames) and, under a warning, the exception it was
# logged with and its chain ("WARN TaskSetManager: Lost task ... message=", then "FetchFailedException: ...").
_JOINED_LEVELS = ROUTINE_LEVELS | {"WARN", "WARNING"}
# What no agent joined: a Lambda runtime's line, which is one logging call whatever its lines (Node's console.log of an
# object, Python's logger with its traceback); an object or array printed over lines (its first line the brace); and a
# record that announces the block after it ("Complete output from command python setup.py egg_info:", YARN's
# application report after "INFO Client: ").
_ONE_CALL = re.compile(r"^(?:\[[A-Z]+\]\t)?\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\t")
# A runtime's report of an exception nothing caught: never a record's own lines.
_UNCAUGHT = re.compile(r'^(?:Traceback \(most recent call last\):|Exception in thread "|panic: |fatal error: )')


def _unjoined(message: str) -> list[str] | None:
    """A multi-line event that a log agent joined under a routine, warning or undated-level record (see
    ``_JOINED_LEVELS``), as the record with its own lines and then each line after them on its own; None when
    ``message`` is no such event (or one logging call's, ``_ONE_CALL``)."""
    first, _, rest = message.partition("\n")
    if not rest or first.rstrip().endswith((":", "{", "[")) or _ONE_CALL.match(first):
        return None
    level = log_level(first)
    if level not in _JOINED_LEVELS and not (level is None and _DATED.match(first)):
        return None
    lines = message.split("\n")
    warned = level in ("WARN", "WARNING")
    for at in range(1, len(lines)):
        line = lines[at]
        if not line.strip() or line[:1].isspace() or _is_frame(line):
            continue
        if _UNCAUGHT.match(line) or not (_CAUSED_BY.match(line) or line.startswith(_SUPPRESSED)
                                         or (warned and _EXCEPTION_LINE.match(line))):
            break
    else:
        return None
    return ["\n".join(lines[:at]).rstrip(), *(part for part in lines[at:] if part.strip())]


def _message(item: LogLine | str) -> str:
    """What ``item`` says: the text itself, or the log line's message."""
    return item if isinstance(item, str) else item.message or ""


def _like(item: LogLine | str, text: str) -> LogLine | str:
    """``text`` as a line of its own with ``item``'s time and source (or as text, when ``item`` is text)."""
    return text if isinstance(item, str) else LogLine(message=text, timestamp=item.timestamp, source=item.source)


# rsyslog's escapes of control characters ("#011" a tab, "#012" a line break), as SageMaker's job logs carry a Java
# trace: "...Exception: Backend worker did not respond in given time #011at com.amazonaws.ml.mms.wlm.WorkerThread.run(
# WorkerThread.java:142)". Read back only where they escape a trace's frame or line break.
_SYSLOG_ESCAPED = re.compile(r"#011at [\w$.<>]+\(|#012(?:#011|\s*at |Caused by: )")
_SYSLOG_FRAME = re.compile(r"[ \n]*#011at (?=[\w$.<>]+\()")  # a frame is a line of its own


def _expanded(lines: Iterable[LogLine | str]) -> Iterator[LogLine | str]:
    """``lines`` with the program output a line carries as a bytes literal (``_BYTES_OUTPUT``) read as lines of
    their own, after the line that carries it (its literal shortened to its first line), a payload a line
    prints as a list of its bytes read as its text, and the lines a log agent joined under a routine record read
    as lines of their own (``_unjoined``)."""
    for item in lines:
        message = _message(item)
        if "#01" in message and _SYSLOG_ESCAPED.search(message):
            message = _SYSLOG_FRAME.sub("\n\tat ", message.replace("#012", "\n")).replace("#011", "\t")
            item = _like(item, message)
        if "\n" in message and (parts := _unjoined(message)) is not None:
            yield from _expanded(_like(item, part) for part in parts)
            continue
        # A payload printed as its bytes, read as the text it is (decoded_byte_lists).
        decoded = decoded_byte_lists(message)
        if decoded != message:
            message = decoded
            item = _like(item, message)
        m = _BYTES_OUTPUT.search(message) if "\\n" in message else None
        if m is None:
            yield item
            continue
        inner = [part.replace("\\'", "'").replace('\\"', '"').replace("\\t", "\t").rstrip()
                 for part in m.group(2).split("\\n")]
        inner = [part for part in inner if part.strip()][-OUTPUT_LINES:]
        head = message[:m.start(2)] + (inner[0] if inner else "") + "…" + message[m.end(2):]
        for text in (head, *inner[1:]):
            yield _like(item, text)


_BODY_REASON = re.compile(
    r"""(?i)^\s*["']?(?:message|errorMessage|error_message|reason|detail|error_description)["']?\s*:""")


def _wrapped_kept(held: list[LogLine | str]) -> list[LogLine | str]:
    """The lines of a message too long to join whole: its first line and its last ones, or, when a line in
    between says more of the error than any of them, its first line, that line, and one fewer at the end (sharp's
    "Could not load the "sharp" module", then "ERR_DLOPEN_FAILED: libvips-cpp.so.42: cannot open shared object
    file", then five lines of "Possible solutions": lovell/sharp#3898)."""
    def weight(h: LogLine | str) -> float:
        # A response body's reason ('"message": "You have reached your ten_secondly_rolling limit."') tells more
        # than its status ('"status": "error"').
        line = _message(h)
        return error_weight(line) + (_ERROR_WORDS + 1 if _BODY_REASON.match(line) else 0.0)

    # An exception whose message starts on the next line ("AttributeError: ", then '"load()" has been removed, use':
    # ruamel.yaml 0.18, nukezil/IOMatch#4): that line is the message's first, kept with the type.
    middle, tail = held[1 : 1 - WRAPPED_LINES], held[1 - WRAPPED_LINES :]
    first, second = _message(held[0]).strip(), _message(held[1])
    if _NO_MESSAGE.fullmatch(first) and first.endswith(":") and not (_EXCEPTION_LINE.match(second)
                                                                     or _is_frame(second)):
        return [held[0], held[1], "…", *tail[1:]]
    heaviest = max(middle, key=weight)
    # ... as much as any of them, too: a Google API error's '"reason": "insufficientPermissions"' beside its closing
    # '"message": "Insufficient Permission"' (burnash/gspread#513) names the cause the message only restates.
    if 0 < weight(heaviest) >= max(weight(t) for t in tail):
        return [held[0], heaviest, "…", *tail[1:]]
    return [held[0], "…", *tail]


# A message a program frames between two rules of dashes, equals signs or asterisks, one line an event (Open MPI's
# help texts: "There are not enough slots available in the system to satisfy the 32 slots", "that were requested by
# the application:", "  ABYSS-P", "Either request fewer slots ..."; Hadoop's and Spark's banners): one message,
# read and kept whole, not line by line.
_RULE = re.compile(r"^\s*(?:-{20,}|={20,}|\*{20,})\s*$")
BANNER_LINES = 12  # a framed message longer than this is left as its lines


def _unbannered(lines: Iterable[LogLine | str]) -> Iterator[LogLine | str]:
    """``lines`` with each short message framed by two rule lines joined into one line (the rules dropped)."""
    held: list[LogLine | str] | None = None  # the lines after an opening rule
    for item in lines:
        message = _message(item)
        if held is None:
            if _RULE.match(message):
                held = [item]
            else:
                yield item
            continue
        if _RULE.match(message):
            inner = [t for t in (_message(h).strip() for h in held[1:]) if t]
            if inner:
                yield _like(held[1], " ".join(inner))
                held = None
            else:
                # Two rules in a row: the second may open the next message.
                yield held[0]
                held = [item]
            continue
        if "\n" in message or _is_frame(message) or len(held) > BANNER_LINES:
            yield from held
            yield item
            held = None
            continue
        held.append(item)
    if held:
        yield from held


# The JVM's fatal error report on its standard output ("# A fatal error has been detected by the Java Runtime
# Environment:", then "#  SIGSEGV (0xb) at pc=...", the JRE's versions, "# Problematic frame:" and the frame, a line
# each): its signal and its frame are one line (crawler-commons/url-frontier#17: the frame names the native library).
_JVM_CRASH = re.compile(r"^\s*#\s+A fatal error has been detected by the Java Runtime Environment:?\s*$")
_JVM_CRASH_SIGNAL = re.compile(r"^\s*#\s+((?:SIG[A-Z]+|EXCEPTION_\w+) \(0x[0-9a-f]+\) at pc=\S+)")
_JVM_CRASH_FRAME = re.compile(r"^\s*#\s+([CJjVv]\s+\[.+)$")
JVM_CRASH_LINES = 24


def _jvm_crash_joined(lines: Iterable[LogLine | str]) -> Iterator[LogLine | str]:
    """``lines`` with a JVM fatal error report's header, signal and problematic frame joined into its first line."""
    held: list[LogLine | str] = []

    def release() -> Iterator[LogLine | str]:
        texts = [_message(h) for h in held]
        signal = next((m.group(1).rstrip(",") for t in texts if (m := _JVM_CRASH_SIGNAL.match(t))), None)
        frame = next((m.group(1).strip() for t in texts if (m := _JVM_CRASH_FRAME.match(t))), None)
        if signal is None and frame is None:
            yield from held
        else:
            parts = [texts[0].strip(), signal, f"Problematic frame: {frame}" if frame else None]
            yield _like(held[0], " ".join(p for p in parts if p))
            yield from (h for h, t in zip(held[1:], texts[1:], strict=True)
                        if t.strip() not in ("", "#") and not _JVM_CRASH_SIGNAL.match(t)
                        and not _JVM_CRASH_FRAME.match(t) and t.strip() != "# Problematic frame:")
        held.clear()

    for item in lines:
        message = _message(item)
        if held and (message.lstrip().startswith("#") or not message.strip()) and "\n" not in message \
                and len(held) < JVM_CRASH_LINES:
            held.append(item)
            continue
        if held:
            yield from release()
        if "\n" not in message and _JVM_CRASH.match(message):
            held.append(item)
        else:
            yield item
    if held:
        yield from release()


# A tool's summary that lists its errors under a bare header, the header one log event and each error the next
# (Soda Core's "ERRORS:", then "[02:12:03] Metrics '"freshness_in_hours"' were not computed for check ...",
# sodadata/soda-core#1755): the line under it is an error whatever its words; it is read with the header.
# Rust's panic says where on one line and what on the next since Rust 1.73 ("thread 'tokio-runtime-worker' panicked
# at .../hyper-rustls-0.24.2/src/config.rs:48:9:", then "no CA certificates found", Boavizta/cloud-scanner#666):
# the same shape, the message read with the place.
_ERRORS_HEADER = re.compile(r"^\s*(?:\[[\d:.]+\]\s*)?(?:ERRORS?|FAILURES?|Errors?|Failures?)(?:\s*\(\d+\))?\s*:\s*$"
                            rf"|^\s*{_RUST_PANIC}\S+:\d+:\d+:\s*$")
# ... or under a line that counts them, each numbered after it (Elasticsearch's "ERROR: [1] bootstrap checks failed",
# then "[1]: max file descriptors [4096] for elasticsearch process is too low, increase to at least [65536]",
# awslabs/amazon-eks-ami#234): the numbered lines are the failures the count announced.
_COUNTED_FAILURES = re.compile(r"^\s*(?:ERROR:?\s*)?\[(\d+)\] [\w ]{0,60}\b(?:failed|errors?)\s*$")
_NUMBERED_ITEM = re.compile(r"^\s*\[\d+\]:? ")
LISTED_ITEMS = 5  # at most this many numbered failures are joined to the line that counts them


def _listed_errors(lines: Iterable[LogLine | str]) -> Iterator[LogLine | str]:
    """``lines`` with a bare errors header ("ERRORS:") joined to the line listed under it, and a line that counts
    failures joined to the numbered lines that list them (as many as it counts, at most LISTED_ITEMS)."""
    header: LogLine | str | None = None
    counted = 0  # how many numbered lines the held header announced (0: a bare errors header)
    items: list[str] = []  # the numbered lines under a counting header

    def held(head: LogLine | str) -> LogLine | str:
        return _like(head, " ".join([_message(head).strip(), *items])) if items else head

    for item in lines:
        message = _message(item)
        one = "\n" not in message and bool(message.strip())
        if header is not None:
            if counted:
                if one and _NUMBERED_ITEM.match(message) and len(items) < min(counted, LISTED_ITEMS):
                    items.append(message.strip())
                    continue
                yield held(header)
            elif one and not _ERRORS_HEADER.match(message):
                yield _like(item, f"{_message(header).strip()} {message.strip()}")
                header = None
                continue
            else:
                yield header
            header, counted, items = None, 0, []
        count = _COUNTED_FAILURES.match(message) if one else None
        count = count if count is not None and int(count[1]) > 0 else None
        if count is not None or (one and _ERRORS_HEADER.match(message)):
            header, counted = item, int(count[1]) if count is not None else 0
        else:
            yield item
    if header is not None:
        yield held(header)


_STAMP_END = re.compile(r".*(?: - |\] |: )")


def _same_stamp_rest(head: str, message: str) -> str | None:
    """What ``message`` says after the stamp (time and logger) it shares with ``head``, or None when they share
    none, or when what follows is a record of its own (a level, an exception, a frame)."""
    n = next((i for i, (a, b) in enumerate(zip(head, message, strict=False)) if a != b),
             min(len(head), len(message)))
    stamp = _STAMP_END.match(message[:n])
    if stamp is None or stamp.end() < 12:
        return None
    rest = message[stamp.end():].strip()
    if (not rest or _LEVEL.match(rest) or _EXCEPTION_LINE.match(rest) or _is_frame(rest)
            or _STAMPED.match(rest)):
        return None
    return rest


def _unwrapped(lines: Iterable[LogLine | str]) -> Iterator[LogLine | str]:
    """``lines`` with each exception message that runs over several lines before its first stack frame
    joined into one line. Lines that end without a frame (a message, then a new record) stay as they are."""
    held: list[LogLine | str] = []
    # The held message starts on the line after its exception's ("SparkException: " and nothing more).
    opened = False
    # The held exception ends a Python traceback (its frames came just before it): Python prints the rest of its
    # message on the lines after it, with no frame to end them ("hubspot...ApiException: (429)", then "HTTP
    # response body: " and the body's JSON, HubSpot/hubspot-api-python#117).
    tail = False
    since_frame = 99  # lines since the last frame (a frame's source line comes one after it)
    report = False  # what is held is a YARN report's diagnostics
    indent: int | None = None  # what is held is a header and the lines indented deeper than this under it

    def joined(kept: list[LogLine | str]) -> LogLine | str:
        head = held[0]
        line = " ".join(t for t in (_message(h).strip() for h in kept) if t)
        held.clear()
        return _like(head, line)

    def release() -> Iterator[LogLine | str]:
        # A message that ends without a frame stays as its lines, but an exception with no message of its own
        # ("CondaPackError: ", then "Files managed by conda were found to have been deleted/overwritten in the")
        # keeps the line its message starts on.
        if tail and len(held) > 1:
            yield joined(held if len(held) <= WRAPPED_LINES else _wrapped_kept(held))
            return
        kept, rest = (held[:2], held[2:]) if opened and len(held) > 1 else ([], held[:])
        if kept:
            yield joined(kept)
        held.clear()
        yield from rest

    rpc = False  # what is held is a gRPC error's fields (_RPC_HEAD)

    for item in lines:
        message = _message(item)
        frame = _is_frame(message)
        since_frame = 0 if frame else since_frame + 1
        if held and rpc:
            part = _rpc_part(_CLOCK.sub("", message, count=1)) if "\n" not in message and len(held) < WRAPPED_LINES \
                else None
            if part:
                held.append(part)
            if part is not None and part != ">":
                continue
            rpc = False
            yield joined(held)
            if part is not None:
                continue  # the closing ">" ends it
        if held and indent is not None:
            body = _CLOCK.sub("", message, count=1)
            if (not frame and "\n" not in message and body.strip() and len(held) < WRAPPED_LINES
                    and _indent(body) > indent):
                held.append(body)
                continue
            indent = None
            yield joined(held)
        if held and report:
            if not (frame or _REPORT_FIELD.match(message) or _STAMPED.match(message) or "\n" in message
                    or len(held) > HELD_LINES):
                held.append(item)
                continue
            report = False
            yield joined([h for h in held if not _REPORT_NOISE.match(_message(h).strip())])
        if held and opened and len(held) == 1 and not frame and "\n" not in message and _STAMPED.match(message):
            # A logger that stamps every line of a record (Kettle's and Hop's "2024/04/16 02:00:49 - dwh_nightly - "):
            # the exception's message is the next line under the same stamp (apache/hop#3814), its stamp dropped.
            rest = _same_stamp_rest(_message(held[0]), message)
            if rest is not None:
                yield _like(held[0], f"{_message(held[0]).rstrip()} {rest}")
                held.clear()
                opened = False
                continue
        if held:
            # The message ends at its first frame; one that starts on the next line (an exception line with no
            # message of its own) ends at the next exception too (Spark's "SparkException: ", then "Error from
            # python worker:", the worker's error, then "java.io.EOFException" and its frames).
            if len(held) > 1 and (frame or (opened and _NEXT_EXCEPTION.match(message))):
                # A long message (a schema, then "Problems: ...") keeps its first line and its last ones.
                yield joined(held if len(held) <= WRAPPED_LINES else _wrapped_kept(held))
            elif (not frame and len(held) <= HELD_LINES and "\n" not in message
                  and not (_NEXT_EXCEPTION if opened else _EXCEPTION_LINE).match(message)
                  and not _CAUSED_BY.match(message)
                  and not _STAMPED.match(message) and not message.startswith(_TRACEBACK_TEXT)):
                held.append(item)
                continue
            yield from release()
        aborted = _RAKE_ABORTED.match(message) is not None
        if "\n" not in message and _RPC_HEAD.search(message):
            held.append(item)
            rpc = True
        elif "\n" not in message and not frame and (aborted or _EXCEPTION_IN.search(message)):
            held.append(item)
            opened = aborted or bool(_EMPTY_MESSAGE.search(message))
            tail = since_frame <= 2 and bool(_PY_EXCEPTION_END.match(message))
        elif "\n" not in message and _REPORT_DIAGNOSTICS.match(message):
            held.append(item)
            report = True
        elif ((" Error in " in message or message.startswith("Possible error:")) and "\n" not in message
              and _INDENTED_HEAD.match(body := _CLOCK.sub("", message, count=1))):
            held.append(item)
            indent = _indent(body)
        else:
            yield item
    if held and (indent is not None or rpc):
        yield joined(held)
    yield from release()


def compact(
    lines: Iterable[LogLine | str],
    failure_time: datetime | None = None,
    budget_tokens: int = 2000,
    max_lines: int | None = None,
) -> CompactResult:
    """Fold ``lines`` into ranked, redacted template lines whose rendering fits ``budget_tokens``.

    ``lines`` is consumed once (a generator is fine; memory stays bounded by the template cap).
    ``failure_time`` (aware or UTC) makes lines near the failure rank higher; without it, lines
    near the end do. ``max_lines`` caps the number of lines returned. Every exemplar and template
    is passed through :func:`~incident_responder.evidence.redaction.redact`.
    """
    templates: dict[str, _Template] = {}
    seen = 0
    total_bytes = 0
    cut = False
    dropped = 0
    mask = _MASK.sub
    # The newest "Caused by:" line of the stack trace being read: when the trace ends with no deeper one,
    # it is the root cause, which outranks the wrappers around it (a Spark job abort around an S3 503).
    cause: _Template | None = None
    wrapper: _Template | None = None  # the "Caused by:" line before it, in the same trace
    # A Python traceback logged one line per event: after its header, the first line that is neither a frame
    # nor indented source is the exception ("concurrent.futures.process.BrokenProcessPool: A process in the
    # process pool was terminated abruptly"), whatever its class is called.
    in_traceback = False
    # Python's chained tracebacks, one line per event: the first exception of the chain ("ResponseError: too
    # many 503 error responses") is the root; those after "During handling of the above exception" or "The
    # above exception was the direct cause" happened because of it (a KeyError in the error handling).
    last_exc: _Template | None = None
    chained = rooted = False
    attempts = _Attempts()
    previous = ""  # the line before, to tell an exception printed under a routine line (_quoted_by)
    before: _Template | None = None  # the template of the line before
    warned = False  # the lines read are the trace of a warning (_heads_warned_trace)
    warned_trace: list[_Template] = []  # the exception lines of the warning's trace being read
    # An exception line of a warning's trace -> that trace and the line's place in it (see _taken_up)
    held: dict[str, tuple[list[_Template], int]] = {}
    raiser: _Template | None = None  # the last source line under a frame of the Python traceback being read
    own: str | None = None  # the traceback's innermost frame in the work's own code (raised_in), with its source
    own_at = 0
    # A Java "Caused by:" that opens a Python traceback (Spark's "Caused by: org.apache.spark.api.python.
    # PythonException: Traceback (most recent call last):", then the executor's frames, then "ValueError: numpy.dtype
    # size changed"): the Python exception that closes it is the root cause, not the wrapper's header.
    python_cause: _Template | None = None
    fetching: _Template | None = None  # the package pip was fetching last (_PIP_FETCH)

    for item in _unwrapped(_unbannered(_listed_errors(_jvm_crash_joined(_expanded(lines))))):
        if isinstance(item, str):
            message, ts, source = item, None, ""
        else:
            message, ts, source = item.message or "", item.timestamp, item.source
        seen += 1
        total_bytes += len(message) if message.isascii() else len(message.encode("utf-8", "replace"))
        message = message.rstrip("\r\n")
        whole_event = message.find("\n", 0, MAX_EVENT_CHARS) >= 0
        raised_at: str | None = None
        if whole_event:
            # A multi-line event (a trace) is read whole up to MAX_EVENT_CHARS: its root cause is at its end, past
            # the frames, and its headline is what is cut below.
            if len(message) > MAX_EVENT_CHARS:
                message, cut = message[:MAX_EVENT_CHARS], True
            raised_at = raised_in(message)
            message = _headline(message)
        if len(message) > MAX_LINE_CHARS:
            # A long quoted value first (the 60 partitions a call was refused for): the reason after it stays.
            message = _shorten_literals(message)
            if len(message) > MAX_LINE_CHARS:
                # Its head, or, when the head shows no strong signal, its head and its end: a program's captured
                # output logged as one line (pip's "Complete output from command python setup.py egg_info:
                # Traceback ... OSError: 'git' was not found") ends in its error. (Not a dump of a line, many times
                # the limit: its end is not read.)
                tail = MAX_LINE_CHARS // 2
                if len(message) <= TAIL_KEPT_UP_TO and _strongest(message[:MAX_LINE_CHARS]) is None:
                    message, cut = f"{message[:MAX_LINE_CHARS - tail - 3]} … {message[-tail:]}", True
                else:
                    message, cut = message[:MAX_LINE_CHARS], True
        if is_bookkeeping(message) or _BLANK.fullmatch(message):
            continue
        key = mask("<*>", message[:KEY_CHARS])
        t = templates.get(key)
        if t is None:
            first_ts = parse_timestamp(ts) or parse_timestamp(message)
            t = templates[key] = _Template(message, seen, first_ts, source)
            t.last_ts = ts
            if len(templates) > MAX_TEMPLATES:
                dropped += _prune(templates, seen)
        else:
            t.count += 1
            t.last = message
            t.last_pos = seen
            t.last_ts = ts
            t.source = source
        if raised_at is not None:
            t.raised_at = raised_at
        attempts.note(t, message)
        # A trace written as one event of its own is not the trace of the warning before it.
        warned = warned and not whole_event and _in_warned_trace(message)
        if _quoted_by(message, previous):
            t.quoted += 1
        elif warned and _EXCEPTION_LINE.match(message) and not _is_frame(message):
            t.quoted += 1  # the warning's own trace
            if len(held) < _HELD_KEPT:
                held.setdefault(_cause_key(message), (warned_trace, len(warned_trace)))
            warned_trace.append(t)
        elif _OTHER_MIRROR.match(message) and before is not None and before is not t:
            before.quoted += 1  # the failure above was yum's on one mirror: it went on to the next
        elif (before is not None and before is not t and before.prelim and RETRIED.search(message)
              and not _EXCEPTION_IN.search(message) and not RETRIED.search(previous)):
            before.quoted += 1  # the failure above is tried again
        elif held and not warned and _EXCEPTION_LINE.match(message) and not _is_frame(message):
            _taken_up(held, message)
        previous, before = message, t
        if _PIP_FETCH.match(message):
            fetching = t
        elif fetching is not None and _PIP_FAILED.search(message):
            fetching.named = True
        if not warned and _heads_warned_trace(message):
            warned, warned_trace = True, []
        if in_traceback and message[:1].isspace() and not _is_frame(message):
            if t.count == 1:
                t.frame = True  # indented source under a frame
            raiser = t
            if own is not None and own_at == seen - 1:
                own = _with_source(own, message)
        elif in_traceback and (where := _own_frame(message)) is not None:
            own, own_at = where, seen
        if in_traceback and not _is_frame(message) and not message[:1].isspace():
            in_traceback = False
            if _PY_EXCEPTION.match(message):
                t.exception, last_exc = True, t
                if python_cause is not None:
                    t.root, python_cause = True, None
                if own is not None:
                    t.raised_at = own
                if raiser is not None and ":" not in message:
                    # An exception with no message ("StopIteration", a bare "AssertionError"): the source line
                    # that raised it is what says why (next() over a zip file's entries that had no .SAFE folder).
                    raiser.frame, raiser.exception = False, True
        opens_python = _CAUSED_BY.match(message) is not None and message.rstrip(": ").endswith(_PY_TRACE_HEAD)
        if message.startswith(_PY_TRACE_HEAD) or opens_python:
            in_traceback, raiser, own = True, None, None
            rooted, chained = rooted and chained, False
            python_cause = t if opens_python else None
        elif message.startswith(_CHAINED):
            chained = True
            if last_exc is not None and not rooted:
                last_exc.root = rooted = True
        if opens_python:
            cause = wrapper = None
        elif _CAUSED_BY.match(message):
            cause, wrapper = t, cause
        elif cause is not None and not _is_frame(message):
            _root(cause, wrapper)
            cause = wrapper = None
    if cause is not None:
        _root(cause, wrapper)

    failure = failure_time
    if failure is not None and failure.tzinfo is None:
        failure = failure.replace(tzinfo=UTC)

    scored: list[tuple[float, str, _Template, datetime | None, datetime | None]] = []
    for key, t in templates.items():
        first_dt = t.first_ts
        last_dt = (parse_timestamp(t.last_ts) or parse_timestamp(t.last)) if t.count > 1 else first_dt
        rarity = _rarity(t.count)
        sev = error_weight(t.last) if t.count > 1 else t.prelim
        prox = _proximity(t, first_dt, last_dt, failure, seen)
        if t.exception:
            sev = max(sev, _EXCEPTION_WEIGHT)
        if t.root:
            sev += ROOT_CAUSE_BONUS
        if t.named:
            sev = max(sev, _EXCEPTION_WEIGHT)
        score = sev * (0.35 + 0.65 * rarity) + 1.5 * prox + 0.5 * rarity
        t.frame = t.frame or _is_frame(t.last)  # the newest occurrence may be a frame where the first was not
        if t.frame:
            score *= 0.15  # a stack frame says where, not what: the exception line above it leads
        scored.append((score, key, t, first_dt, last_dt))
    scored.sort(key=lambda s: (s[0], s[2].last_pos), reverse=True)

    total_templates = len(templates) + dropped
    # Reserve room for the footer (its numbers only shrink as lines are added).
    spent = estimate_tokens(f"[{total_templates} other line templates omitted; {seen} lines read]") + 1
    picked: list[CompactLine] = []
    # A stack frame says where, not what: shown only in a log that has nothing else to show.
    shown = [s for s in scored if not s[2].frame] or scored
    for score, key, t, first_dt, last_dt in shown:
        if (max_lines is not None and len(picked) >= max_lines) or budget_tokens - spent < 8:
            break
        line = CompactLine(
            text=_clip(redact(t.last)),
            count=t.count,
            first=_iso(first_dt),
            last=_iso(last_dt),
            score=round(score, 3),
            source=t.source,
            template=_clip(redact(key), TEMPLATE_CHARS),
            root=t.root,
            position=t.last_pos,
            recovered=attempts.recovered(t) or t.quoted == t.count,
            raised_at=redact(t.raised_at) if t.raised_at else None,
        )
        cost = estimate_tokens(line.render()) + 1  # +1: the newline
        if line.raised_at:
            cost += estimate_tokens(line.raised_at)
        if spent + cost > budget_tokens:
            continue  # a shorter, lower-ranked line may still fit
        spent += cost
        picked.append(line)

    return CompactResult(
        lines=picked,
        total_lines=seen,
        total_bytes=total_bytes,
        templates=total_templates,
        omitted=total_templates - len(picked),
        truncated_input=cut or dropped > 0,
    )
