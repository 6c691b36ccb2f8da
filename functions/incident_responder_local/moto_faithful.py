"""Where moto's in-process backend raises a Python error for a request that AWS answers with an API error,
the local world answers as AWS does, so the responder meets the error it meets in AWS.

- EMR DescribeStep of a cluster that does not exist (another region, a cluster long gone): AWS answers
  ``InvalidRequestException: Cluster id '<id>' is not valid.``; moto raises ``KeyError``.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["make_moto_faithful"]


def make_moto_faithful() -> None:
    """Patch moto's backends once (idempotent)."""
    from moto.emr.exceptions import InvalidCluster
    from moto.emr.models import ElasticMapReduceBackend

    method = ElasticMapReduceBackend.describe_step
    if getattr(method, "_incident_responder_faithful", False):
        return

    def describe_step(self: Any, cluster_id: str, step_id: str) -> Any:
        if cluster_id not in self.clusters:
            raise InvalidCluster(cluster_id)
        return method(self, cluster_id, step_id)

    functools.update_wrapper(describe_step, method)
    describe_step._incident_responder_faithful = True  # type: ignore[attr-defined]
    ElasticMapReduceBackend.describe_step = describe_step  # type: ignore[method-assign]
