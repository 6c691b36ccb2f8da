from __future__ import annotations

from pathlib import Path

import pytest

from incident_responder.analyze import signature_set
from incident_responder.diagnosis import SignatureError, SignatureSet, load_signatures
from incident_responder.model import Category, Confidence, EvidenceBook
from incident_responder.resources import rules_dir


def book(*texts: str, **facts: object) -> EvidenceBook:
    b = EvidenceBook()
    for t in texts:
        b.add("log", "/aws/lambda/fn", t)
    if facts:
        b.add("history", "states:GetExecutionHistory", "state failed", **facts)
    return b


def diagnose(b: EvidenceBook, source: str = "stepfunctions", **ctx: object):
    return signature_set().diagnose(b.items, source, {"function_name": "fn", "resource_name": "sm", **ctx})


def test_builtin_signatures_load_and_have_unique_ids() -> None:
    sigs = load_signatures(rules_dir() / "signatures")
    assert len({s.id for s in sigs}) == len(sigs)
    assert all(s.explanation for s in sigs)


@pytest.mark.parametrize(("text", "category"), [
    ("2020-11-10T05:46:57.874Z 160788cd Task timed out after 3.07 seconds", Category.TIMEOUT),
    ("Error Type: Runtime.OutOfMemory", Category.OUT_OF_MEMORY),
    ("An error occurred (AccessDenied) when calling the GetObject operation: Access Denied",
     Category.PERMISSION_DENIED),
    ("ERROR: ThrottlingException: Rate exceeded", Category.THROTTLING),
    ("Unable to import module 'lambda_function': No module named 'lambda_function'", Category.CODE_ERROR),
    ("OSError: [Errno 28] No space left on device", Category.DISK_FULL),
    ("20/02/17 11:44:50 ERROR Executor: java.lang.OutOfMemoryError: Java heap space", Category.OUT_OF_MEMORY),
])
def test_real_messages_diagnosed(text: str, category: Category) -> None:
    d = diagnose(book("INFO starting", text))
    assert d.cause.category == category
    assert "E2" in d.cause.evidence_ids  # cites the line that matched, not the noise


def test_unknown_is_said_honestly_with_low_confidence() -> None:
    d = diagnose(book("INFO all good", "INFO still fine"))
    assert d.cause.category == Category.UNKNOWN
    assert d.cause.confidence == Confidence.LOW
    assert "No known failure signature" in d.cause.explanation


def test_templated_explanation_names_the_function() -> None:
    d = diagnose(book("Task timed out after 900.00 seconds"), function_name="nightly-loader")
    assert "nightly-loader" in d.cause.explanation
    assert any("nightly-loader" in s for s in d.next_steps)


def test_specific_signature_beats_generic_one() -> None:
    # Lambda.Unknown alone is a generic task failure; with the timeout text it is a timeout.
    d = diagnose(book("Task timed out after 3.07 seconds", error="Lambda.Unknown", status="FAILED"))
    assert d.cause.category == Category.TIMEOUT


def test_fact_conditions_and_sources(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        "signatures:\n"
        "  - id: my-exit-3\n    category: bad_data\n    confidence: high\n    priority: 99\n"
        "    sources: [ecs]\n    match: {any: [{kind: task, exit_code: [3, 4]}]}\n"
        "    explanation: 'exit {exit_code} means bad rows'\n")
    sigs = SignatureSet(load_signatures(rules_dir() / "signatures", tmp_path))
    b = EvidenceBook()
    b.add("task", "ecs", "Container app exit code 3", exit_code=3)
    assert sigs.diagnose(b.items, "ecs", {}).cause.category == Category.BAD_DATA
    assert sigs.diagnose(b.items, "ecs", {}).cause.explanation == "exit 3 means bad rows"
    assert sigs.diagnose(b.items, "glue", {}).cause.category == Category.UNKNOWN


def test_user_signatures_from_env_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "team.yaml").write_text(
        "signatures:\n  - id: vendor-api-down\n    category: dependency_unavailable\n    priority: 99\n"
        "    match: {any: [{text: 'VendorGateway unavailable'}]}\n    explanation: vendor down\n")
    monkeypatch.setenv("EXTRA_SIGNATURES_DIR", str(tmp_path))
    d = diagnose(book("VendorGateway unavailable (HTTP 503)"))
    assert d.cause.category == Category.DEPENDENCY_UNAVAILABLE


@pytest.mark.parametrize("bad", [
    "signatures:\n  - id: x\n    category: nope\n    match: {any: [{text: a}]}\n    explanation: e\n",
    "signatures:\n  - id: x\n    category: timeout\n    match: {any: [{text: '('}]}\n    explanation: e\n",
    "signatures:\n  - id: x\n    category: timeout\n    match: {}\n    explanation: e\n",
    "signatures: [\n",
    # A "none" beside "match" rather than in it, or a typo under match: refused, not ignored.
    "signatures:\n  - id: x\n    category: timeout\n    match: {any: [{text: a}]}\n    none: [{text: b}]\n"
    "    explanation: e\n",
    "signatures:\n  - id: x\n    category: timeout\n    match: {any: [{text: a}], nonr: [{text: b}]}\n"
    "    explanation: e\n",
])
def test_bad_signature_files_name_the_problem(tmp_path: Path, bad: str) -> None:
    (tmp_path / "bad.yaml").write_text(bad)
    with pytest.raises(SignatureError, match=r"bad\.yaml"):
        load_signatures(tmp_path)


def test_an_id_defined_twice_in_one_directory_is_refused_but_a_user_may_replace_a_bundled_one(
        tmp_path: Path) -> None:
    sig = ("  - id: {id}\n    category: timeout\n    match: {{any: [{{text: '{text}'}}]}}\n"
           "    explanation: e\n")
    (tmp_path / "a.yaml").write_text("signatures:\n" + sig.format(id="twice", text="a"))
    (tmp_path / "b.yaml").write_text("signatures:\n" + sig.format(id="twice", text="b"))
    with pytest.raises(SignatureError, match=r"b\.yaml: signature twice is defined twice .*also in a\.yaml"):
        load_signatures(tmp_path)
    (tmp_path / "b.yaml").unlink()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "x.yaml").write_text("signatures:\n" + sig.format(id="twice", text="mine"))
    loaded = load_signatures(tmp_path, mine)
    assert [s.any_of[0].text.pattern for s in loaded if s.id == "twice"] == ["mine"]  # type: ignore[union-attr]


@pytest.mark.parametrize("text", [
    "Error running query: HIVE_BAD_DATA: Field userContextId's type INT64 in parquet is incompatible with "
    "type varchar defined in table schema",
    "java.lang.NumberFormatException: For input string: \"12,5\"",
    "psycopg2.errors.NotNullViolation: null value in column \"id\" violates not-null constraint",
])
def test_bad_data_is_recognized(text: str) -> None:
    assert diagnose(book(text)).cause.category == Category.BAD_DATA


def test_a_specific_cause_contradicted_on_another_fatal_line_is_not_high() -> None:
    # Alone, a bootstrap action's failure says where it failed, not why: its setup, at most medium.
    alone = diagnose(book("bootstrap action 1 returned a non-zero return code"), "emr")
    assert (alone.cause.category, alone.cause.confidence) == (Category.CONFIGURATION, Confidence.MEDIUM)
    # Its stderr says why: a download the script makes answered 404 (aws-samples/emr-bootstrap-actions#16).
    d = diagnose(book("On the master instance (i-4f2a9c1e), bootstrap action 4 returned a non-zero return code.",
                      "curl: (22) The requested URL returned error: 404 Not Found"), "emr")
    assert d.cause.category == Category.DEPENDENCY_UNAVAILABLE and d.cause.confidence != Confidence.HIGH
    assert "404 Not Found" in d.cause.explanation
    # S3 refused a read, and another fatal line names a setting (a table format not configured): two
    # readings of one failure, so the one given is not high.
    d = diagnose(book("ERROR Table does not support reads: lakehouse.orders",
                      "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied"))
    assert d.cause.category == Category.PERMISSION_DENIED and d.cause.confidence == Confidence.MEDIUM
    # On the same line, the signature is the more specific reading and keeps its confidence.
    d = diagnose(book("ResourceInitializationError: unable to retrieve secret from asm: AccessDeniedException"), "ecs")
    assert (d.cause.category, d.cause.confidence) == (Category.PERMISSION_DENIED, Confidence.HIGH)


def test_a_runtime_killed_on_the_timeout_line_is_the_timeouts_doing() -> None:
    # Lambda kills the runtime it timed out (praetorian-inc/chariot-ui#166): the kill follows the limit on the
    # same report, so the timeout stands (at medium: a time limit says where the run stopped, not why). An earlier
    # attempt killed on its own line is the cause instead.
    d = diagnose(book("2024-06-25T19:22:58.186Z  Task timed out after 30.27 seconds\n"
                      "RequestId:  Error: Runtime exited with error: signal: killed\nRuntime.ExitError"))
    assert (d.cause.category, d.cause.confidence) == (Category.TIMEOUT, Confidence.MEDIUM)
    d = diagnose(book("RequestId: 3741 Error: Runtime exited with error: signal: killed",
                      "2024-06-25T19:37:58.186Z  Task timed out after 900.10 seconds"))
    assert (d.cause.category, d.cause.confidence) == (Category.OUT_OF_MEMORY, Confidence.MEDIUM)


def test_the_signatures_and_the_class_rules_parse_each_rules_file_once(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from incident_responder.diagnosis import classes

    (tmp_path / "a.yaml").write_text("signatures:\n  - id: only-a\n    category: timeout\n"
                                     "    match: {any: [{text: 'ran out of time in a'}]}\n    explanation: e\n")
    (tmp_path / "b.yaml").write_text("classes:\n  - id: only-b\n    category: disk_full\n    text: ['disk b full']\n")
    parsed: list[str] = []
    real = classes.load_yaml
    monkeypatch.setattr(classes, "load_yaml", lambda text: parsed.append(text) or real(text))
    classes._parsed.cache_clear()
    assert [s.id for s in load_signatures(tmp_path)] == ["only-a"]
    assert [r.id for r in classes.load_class_table(tmp_path).rules] == ["only-b"]
    assert len(parsed) == 2
    # A file changed on disk is read as it is now.
    (tmp_path / "a.yaml").write_text((tmp_path / "a.yaml").read_text().replace("only-a", "renamed-a"))
    assert [s.id for s in load_signatures(tmp_path)] == ["renamed-a"]
