"""A scripted Amazon Bedrock runtime for the real ``anthropic.AnthropicBedrock`` client, offline.

:class:`ScriptedBedrock` is an HTTP transport for the client's own HTTP library: it answers
``POST /model/{model id}/invoke`` with the next scripted InvokeModel response body (the Messages API
shape: ``content`` blocks of ``text`` and ``tool_use``, ``stop_reason``, ``usage``) and, when the
script runs out, fails like a Bedrock outage (503 ``ServiceUnavailableException``). A script item
can also be an error (``{"error": {"status": 429, "type": "ThrottlingException", "message": ...}}``)
or a raw body that is not JSON (``{"raw": "..."}``) to test invalid responses.

A scenario folder may hold ``model.yaml``: a list of such response bodies, served in order
(:meth:`ScriptedBedrock.from_yaml`). An item without ``usage`` gets one estimated from the request
actually sent: about four characters a token, with prompt caching modelled from the request's
``cache_control`` breakpoints (a prefix seen before is read from the cache, a new one is written),
so cost figures follow the prompts the agent really built.

Every request is recorded (:attr:`requests`): the path, whether it was SigV4-signed, the body,
the tools offered and the tool calls the scripted answers made.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["RecordedRequest", "ScriptedBedrock", "bedrock_client", "message", "text", "tool_use"]

CHARS_PER_TOKEN = 4
_ids = itertools.count(1)


def _http() -> Any:
    """The HTTP library the installed anthropic SDK is built on (httpx2 in 2.x, httpx before)."""
    from anthropic import _base_client

    lib = getattr(_base_client, "httpx2", None) or getattr(_base_client, "httpx", None)
    if lib is None:  # pragma: no cover - an SDK layout this module does not know
        raise RuntimeError("cannot tell which HTTP library the anthropic SDK uses")
    return lib


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def tool_use(name: str, tool_input: dict[str, Any], tool_id: str | None = None) -> dict[str, Any]:
    return {"type": "tool_use", "id": tool_id or f"toolu_bdrk_{next(_ids):04d}", "name": name, "input": tool_input}


def message(*blocks: dict[str, Any], stop_reason: str | None = None, usage: dict[str, int] | None = None
            ) -> dict[str, Any]:
    """A Messages API response body; ``stop_reason`` defaults from the blocks."""
    body: dict[str, Any] = {
        "type": "message", "role": "assistant", "content": list(blocks),
        "stop_reason": stop_reason or ("tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn"),
        "stop_sequence": None,
    }
    if usage is not None:
        body["usage"] = usage
    return body


@dataclass
class RecordedRequest:
    path: str
    model: str
    signed: bool
    body: dict[str, Any]
    chars: int
    tools_offered: list[str]
    tool_choice: Any
    response_tool_calls: list[str] = field(default_factory=list)
    status: int = 200
    credential_scope: str = ""  # <date>/<region>/bedrock/aws4_request of the SigV4 signature


def _prefix_text(body: dict[str, Any]) -> list[tuple[str, bool]]:
    """The request as (piece, is_breakpoint) in the cache's order: tools, system, messages."""
    pieces: list[tuple[str, bool]] = []
    for tool in body.get("tools") or []:
        pieces.append((json.dumps({k: v for k, v in tool.items() if k != "cache_control"}), "cache_control" in tool))
    system = body.get("system") or []
    for block in [{"type": "text", "text": system}] if isinstance(system, str) else system:
        pieces.append((block.get("text", ""), "cache_control" in block))
    for msg in body.get("messages") or []:
        content = msg.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content or []
        for block in blocks:
            stripped = {k: v for k, v in block.items() if k != "cache_control"}
            pieces.append((json.dumps(stripped, ensure_ascii=False), "cache_control" in block))
    return pieces


class ScriptedBedrock:
    """Serves scripted InvokeModel responses in order; see the module docstring.

    ``min_cache_tokens`` is the smallest prefix Bedrock caches for the model (1,024 for Sonnet 4.5).
    """

    def __init__(self, responses: list[dict[str, Any]], *, min_cache_tokens: int = 1024) -> None:
        self.responses = list(responses)
        self.requests: list[RecordedRequest] = []
        self.min_cache_tokens = min_cache_tokens
        self._cache: set[str] = set()
        http = _http()
        self.transport = http.MockTransport(self._handle)

    @classmethod
    def from_yaml(cls, path: str | Path, **kwargs: Any) -> ScriptedBedrock:
        from ..formats import load_yaml

        doc = load_yaml(Path(path).read_text(encoding="utf-8")) or []
        if isinstance(doc, dict):
            doc = doc.get("responses") or []
        if not isinstance(doc, list):
            raise ValueError(f"{path}: model.yaml must be a list of response bodies")
        return cls(doc, **kwargs)

    # --- what was asked ---
    @property
    def count(self) -> int:
        return len(self.requests)

    @property
    def total_chars(self) -> int:
        return sum(r.chars for r in self.requests)

    @property
    def tool_calls(self) -> list[str]:
        return [name for r in self.requests for name in r.response_tool_calls]

    @property
    def remaining(self) -> int:
        return len(self.responses)

    # --- serving ---
    def _estimate_usage(self, body: dict[str, Any], reply: dict[str, Any]) -> dict[str, int]:
        pieces = _prefix_text(body)
        total = sum(len(p) for p, _ in pieces)
        read = write = 0
        running = hashlib.sha256()
        length = 0
        for piece, breakpoint in pieces:
            running.update(piece.encode())
            length += len(piece)
            if not breakpoint or length // CHARS_PER_TOKEN < self.min_cache_tokens:
                continue
            key = running.hexdigest()
            if key in self._cache:
                read = length
            else:
                self._cache.add(key)
                write = length
        write = max(0, write - read)
        out_chars = len(json.dumps(reply.get("content", [])))
        return {"input_tokens": (total - read - write) // CHARS_PER_TOKEN,
                "cache_read_input_tokens": read // CHARS_PER_TOKEN,
                "cache_creation_input_tokens": write // CHARS_PER_TOKEN,
                "output_tokens": max(1, out_chars // CHARS_PER_TOKEN)}

    def _error(self, status: int, kind: str, msg: str) -> Any:
        http = _http()
        return http.Response(status, json={"message": msg},
                             headers={"x-amzn-ErrorType": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/",
                                      "x-amzn-RequestId": f"req-{len(self.requests):04d}"})

    def _handle(self, request: Any) -> Any:
        http = _http()
        path = request.url.path
        raw = request.read()
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        model = path.split("/model/", 1)[-1].rsplit("/", 1)[0] if "/model/" in path else ""
        auth = request.headers.get("authorization", "")
        scope = auth.split("Credential=", 1)[-1].split(",", 1)[0].split("/", 1)[-1] if "Credential=" in auth else ""
        rec = RecordedRequest(
            path=path, model=model, credential_scope=scope,
            signed=auth.startswith("AWS4-HMAC-SHA256") and scope.endswith("/bedrock/aws4_request"),
            body=body, chars=len(raw), tools_offered=[t.get("name", "") for t in body.get("tools") or []],
            tool_choice=body.get("tool_choice"),
        )
        self.requests.append(rec)
        if not path.startswith("/model/") or not path.endswith("/invoke"):
            rec.status = 404
            return self._error(404, "UnknownOperationException", f"no such operation {path}")
        if not rec.signed:
            rec.status = 403
            return self._error(403, "AccessDeniedException", "Missing Authentication Token")
        if not self.responses:
            rec.status = 503
            return self._error(503, "ServiceUnavailableException", "Bedrock is unable to process your request.")
        item = self.responses.pop(0)
        if "error" in item:
            err = item["error"]
            rec.status = int(err.get("status", 500))
            return self._error(rec.status, err.get("type", "InternalServerException"), err.get("message", "error"))
        if "raw" in item:
            return http.Response(200, content=str(item["raw"]).encode(), headers={"content-type": "application/json"})
        reply = {"id": f"msg_bdrk_{len(self.requests):04d}", "model": model, **item}
        reply.setdefault("type", "message")
        reply.setdefault("role", "assistant")
        reply.setdefault("stop_sequence", None)
        if "usage" not in reply:
            reply["usage"] = self._estimate_usage(body, reply)
        rec.response_tool_calls = [b.get("name", "") for b in reply.get("content", []) if b.get("type") == "tool_use"]
        usage = reply["usage"]
        return http.Response(200, json=reply, headers={
            "content-type": "application/json", "x-amzn-RequestId": f"req-{len(self.requests):04d}",
            "X-Amzn-Bedrock-Input-Token-Count": str(usage.get("input_tokens", 0)),
            "X-Amzn-Bedrock-Output-Token-Count": str(usage.get("output_tokens", 0)),
        })


def bedrock_client(script: ScriptedBedrock, region: str = "us-east-1", **kwargs: Any) -> Any:
    """A real ``AnthropicBedrock`` client whose HTTP goes to ``script`` (AWS credentials from the
    environment, as in production; tests set fake ones)."""
    from anthropic import AnthropicBedrock

    http = _http()
    return AnthropicBedrock(aws_region=region, http_client=http.Client(transport=script.transport), **kwargs)
