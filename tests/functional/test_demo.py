"""`make demo` (``incident-responder demo``): a report of each of the ten sources, one of a member account,
each with its summary line, and a closing list of what was posted."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from incident_responder.sources import ADAPTER_MODULES, adapter_for
from incident_responder_local.cli import DEMO_SCENARIOS, main

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _load(name: str, file: str) -> Any:
    import yaml

    text = (SCENARIOS / name / file).read_text(encoding="utf-8")
    return json.loads(text) if file.endswith(".json") else yaml.safe_load(text)


def test_the_default_demo_reports_every_source_and_a_member_account() -> None:
    sources: set[str] = set()
    members = []
    for name in DEMO_SCENARIOS:
        event, expect = _load(name, "event.json"), _load(name, "expect.yaml")
        assert expect.get("posts"), f"{name}: the demo shows reports, this scenario posts none"
        sources.add(adapter_for(event).name)
        if str(event.get("account")) != str(_load(name, "world.yaml").get("account") or "123456789012"):
            members.append(name)
    assert sources == set(ADAPTER_MODULES)
    assert members, "no report of a member account"


def _summary(out: str) -> list[str]:
    head, _, tail = out.rpartition("■ ")
    assert head, out[-2000:]
    return tail.splitlines()[1:]


def test_the_demo_posts_the_new_sources_and_the_member_accounts_reports(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    names = ["emrserverless_driver_oom_s3_logs", "athena_table_not_found", "gluecrawler_schema_change_in_log",
             "gluedq_completeness_and_uniqueness_failed", "lambda_timeout", "accounts_member_thread_reads_through_role"]
    assert set(names) <= set(DEMO_SCENARIOS)
    assert main(["demo", *(str(SCENARIOS / n) for n in names)]) == 0
    out = capsys.readouterr().out
    lines = _summary(out)
    assert out.count("\n■ ") == 1 and "6 scenarios, 6 reports posted:" in out
    found = {m.group(1): line for line in lines if (m := re.match(r"\s+\[\d+\] (\w+)", line))}
    assert set(found) == {"emrserverless", "athena", "gluecrawler", "gluedq", "lambda"}
    assert "00f1982r1uukb925 failed: out of memory" in found["emrserverless"]
    assert "sales.orders: 2 data quality rule(s) failed" in found["gluedq"]
    member = [line for line in lines if "member" in line]
    assert member == ["  [6] gluecrawler · member account 222222222222 (sales-prod) → permission_denied (medium): "
                      "orders-landing failed: permission denied"]
    # Each report has its summary line above what Slack shows; the member's thread is answered from its account.
    assert out.count("Slack now shows:") == 6
    member_part = out.split("accounts_member_thread_reads_through_role")[-1]
    assert "ERROR : Service is unable to assume provided role" in member_part
    assert "home account's own" not in out


@pytest.mark.slow
def test_make_demo_runs_every_default_scenario(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    lines = _summary(out)
    assert f"{len(DEMO_SCENARIOS)} scenarios, {len(DEMO_SCENARIOS)} reports posted:" in out
    assert len(lines) == len(DEMO_SCENARIOS) and not [line for line in lines if "no report" in line], lines
    assert "(expectations not met" not in out
