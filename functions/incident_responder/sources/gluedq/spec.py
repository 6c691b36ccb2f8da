"""The redrive spec of gluedq: none is run (bad data is fixed by its owner, not by evaluating again)."""

from __future__ import annotations

from dataclasses import dataclass

from ..base import RedriveSpec

__all__ = ["GlueDqSpec"]


@dataclass
class GlueDqSpec(RedriveSpec):
    """The evaluation a redrive request names; plans for it are never runnable."""

    ResultId: str = ""
    RulesetName: str = ""
