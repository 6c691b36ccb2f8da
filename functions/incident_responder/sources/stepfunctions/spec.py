"""The redrive spec of stepfunctions: what its collector records about how to re-run a failed run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..base import RedriveSpec

__all__ = ["StepFunctionsSpec"]


@dataclass
class StepFunctionsSpec(RedriveSpec):
    """The failed execution (its input is read again with DescribeExecution, never taken from here)."""

    execution_arn: str = ""
    state_machine_arn: str = ""
    name: str = ""
    input: Any = None
    status: str = ""
    stop_date: Any = None
    redrive_count: int = 0
