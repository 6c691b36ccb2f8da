from __future__ import annotations

import re
from pathlib import Path

from incident_responder.config import ENV
from incident_responder_local.knowledge import FIRST_REPLAY

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_environment_variable_is_documented() -> None:
    missing = [name for name in ENV if f"`{name}`" not in README]
    assert not missing, f"README's configuration table lacks {missing}"


def test_quickstart_commands_are_documented() -> None:
    assert "make demo" in README and "make test" in README


def test_the_count_of_blind_scenarios_is_the_repos() -> None:
    # The README says how many scenarios written from public failures by someone who had not seen the rules are
    # here; each says so in its expect.yaml.
    m = re.search(r"passed at their first replay; ([\d,]+) are here", README)
    assert m, "the README no longer says how many blind scenarios are here"
    blind = [p for p in (ROOT / "tests" / "scenarios").glob("*/expect.yaml")
             if "Written from the public failure" in p.read_text(encoding="utf-8")]
    assert int(m.group(1).replace(",", "")) == len(blind)
    # ... and how its first replay went, in the words the diagnosis benchmark reads: passed, or the category it got.
    readings = {p.parent.name: FIRST_REPLAY.search(p.read_text(encoding="utf-8")) for p in blind}
    unread = [name for name, m in readings.items() if not (m and (m.group(1) or m.group(2)))]
    assert not unread, f"blind scenarios whose first replay cannot be read: {unread[:5]}"
