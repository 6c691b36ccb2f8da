"""The source adapter contract: every registered source is complete, and nothing else knows a source.

A new source is its adapter package, its event rule, its signatures, its local-world loader and its
scenarios. These tests fail when one of them is missing, or when code outside ``sources/`` switches on
a source name, so a missing piece is found here and not as a ``?`` in Slack.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import json
import re
import string
from pathlib import Path
from typing import Any

import pytest

from incident_responder.analyze import signature_set
from incident_responder.formats import load_yaml
from incident_responder.sources import ADAPTER_MODULES, adapter, adapter_for, all_adapters
from incident_responder.sources.base import Adapter, RedriveSpec, SourceContext
from incident_responder_local.world import SOURCE_LOADERS

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "functions" / "incident_responder"
NAMES = sorted(ADAPTER_MODULES)


def _mine(event: dict[str, Any], found: Adapter) -> bool:
    """Whether an event (or a rule) is of this adapter: its source and one of its detail types (two
    adapters may share a source: Glue jobs and Glue crawlers are both ``aws.glue``)."""
    types = event.get("detail-type")
    types = types if isinstance(types, list) else [types]
    sources = event.get("source")
    sources = sources if isinstance(sources, list) else [sources]
    return found.event_source in sources and bool(set(types) & set(found.detail_types))


def _event_rules() -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((ROOT / "rules" / "events").glob("*.json"))]


@functools.cache
def _scenarios() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every scenario's event and expectations, read once per process (libyaml's parser when there is one)."""
    found = []
    for event_file in sorted((ROOT / "tests" / "scenarios").glob("*/event.json")):
        expect = load_yaml((event_file.parent / "expect.yaml").read_text()) or {}
        found.append((json.loads(event_file.read_text()), expect))
    return found


@pytest.mark.parametrize("name", NAMES)
def test_every_adapter_implements_the_whole_protocol(name: str) -> None:
    found = adapter(name)
    assert isinstance(found, Adapter) and found.name == name
    assert not getattr(type(found), "__abstractmethods__", None)
    assert found.noun and found.arn_service and found.original_read and found.detail_types
    assert issubclass(found.context_type, SourceContext) and found.context_type is not SourceContext
    assert issubclass(found.spec_type, RedriveSpec) and found.spec_type is not RedriveSpec


def test_a_missing_method_fails_when_the_adapter_is_built() -> None:
    class Incomplete(Adapter):
        name = "incomplete"

    with pytest.raises(TypeError, match="abstract"):
        Incomplete()  # type: ignore[abstract]


@pytest.mark.parametrize("name", NAMES)
def test_every_adapter_has_its_event_rule_and_a_sample(name: str) -> None:
    found = adapter(name)
    covered: set[str] = set()
    siblings = [a for a in all_adapters() if a.event_source == found.event_source]
    for rule in _event_rules():
        if found.event_source in rule["source"]:
            # Every detail type a rule of this source matches is read by some adapter of the source.
            assert set(rule["detail-type"]) <= {t for a in siblings for t in a.detail_types}, rule
            covered |= set(rule["detail-type"]) & set(found.detail_types)
    missing = set(found.detail_types) - covered
    assert not missing, f"{name}: no rule in rules/events for {missing}"
    samples = [json.loads(p.read_text()) for p in (ROOT / "sam" / "events").glob("*.json")]
    assert any(_mine(s, found) for s in samples), f"{name}: no sample in sam/events"


@pytest.mark.parametrize("name", NAMES)
def test_every_adapter_has_signatures_a_world_loader_and_scenarios(name: str) -> None:
    found = adapter(name)
    assert any(name in sig.sources for sig in signature_set().signatures), f"{name}: no signature of its own"
    assert name in SOURCE_LOADERS, f"{name}: no local-world loader in incident_responder_local.world"
    mine = [(e, x) for e, x in _scenarios() if _mine(e, found)]
    assert any(x.get("category") for _, x in mine), f"{name}: no scenario of a reported failure"
    # An ignored event of the source counts too when no other adapter of the source reads its detail
    # type (Lambda's success record: same source, a detail type no adapter reads).
    others = {t for a in all_adapters() if a.event_source == found.event_source and a is not found
              for t in a.detail_types}
    ignored = [x for e, x in _scenarios() if e.get("source") == found.event_source
               and (_mine(e, found) or e.get("detail-type") not in others)]
    assert any(x.get("category") is None for x in ignored), f"{name}: no scenario of an event not reported"


@pytest.mark.parametrize("name", NAMES)
def test_the_registry_routes_each_sample_to_its_adapter(name: str) -> None:
    found = adapter(name)
    for path in (ROOT / "sam" / "events").glob("*.json"):
        event = json.loads(path.read_text())
        if _mine(event, found):
            assert adapter_for(event) is found


def test_signature_placeholders_are_fields_of_the_context_of_every_source_they_apply_to() -> None:
    """The placeholder contract is the adapters' context classes: an unknown name is an error here."""
    for sig in signature_set().signatures:
        for source in sorted(sig.sources) or NAMES:
            known = adapter(source).context_type.placeholder_names()
            for template in [sig.explanation, *sig.next_steps]:
                names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
                assert names <= known, f"{sig.id} ({source}): unknown placeholders {names - known} in {template!r}"


def test_setting_a_name_the_context_does_not_have_is_an_error() -> None:
    context = adapter("glue").context_type()
    context.update(job_name="sales-etl")
    assert context.values()["job_name"] == "sales-etl"
    with pytest.raises(KeyError, match="job_nmae"):
        context.update(job_nmae="typo")
    internal = {f.name for f in dataclasses.fields(adapter("stepfunctions").context_type)} - (
        adapter("stepfunctions").context_type.placeholder_names())
    assert {"redrive", "execution_input", "what"} <= internal


def test_a_redrive_spec_has_one_key_per_value() -> None:
    spec_type = adapter("glue").spec_type
    spec = spec_type.from_dict({"JobName": "sales-etl", "JobRunId": "jr_1", "Arguments": {"--day": "1"}})
    assert spec.JobName == "sales-etl" and spec.to_dict() == {"JobName": "sales-etl", "JobRunId": "jr_1",
                                                             "Arguments": {"--day": "1"}}
    with pytest.raises(KeyError, match="job_name"):
        spec_type.from_dict({"job_name": "sales-etl"}, strict=True)  # a collector's typo fails in tests
    assert spec_type.from_dict({"job_name": "old item"}).JobName == ""  # an old stored item: dropped, logged


# -- nothing outside sources/ knows a source ------------------------------------------------------------
_SOURCE_LITERAL = re.compile(
    r"^(stepfunctions|ecs|emr|glue|batch|emrserverless|emrcontainers|athena|gluecrawler|gluedq|lambda)$")


def _source_switches(path: Path) -> list[str]:
    """Comparisons and dict keys against a source name: the switches the registry replaces."""
    found = []
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for part in [node.left, *node.comparators]:
                if isinstance(part, ast.Constant) and _SOURCE_LITERAL.match(str(part.value)):
                    found.append(f"{path.name}:{node.lineno} compares with {part.value!r}")
        if isinstance(node, ast.Dict):
            names = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
            if sum(bool(_SOURCE_LITERAL.match(n)) for n in names) >= 2:
                found.append(f"{path.name}:{node.lineno} keys a dict by source")
    return found


def test_no_module_outside_the_adapters_switches_on_a_source_name() -> None:
    switches = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("sources/"):
            continue
        switches += _source_switches(path)
    assert switches == []


def test_no_production_module_imports_the_local_world() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            dev = [n for n in names if n.startswith(("incident_responder_local", "moto"))]
            offenders += [f"{path.relative_to(PACKAGE)}: {n}" for n in dev]
    assert offenders == []


def test_all_adapters_lists_each_registered_source_once() -> None:
    assert [a.name for a in all_adapters()] == list(ADAPTER_MODULES)
