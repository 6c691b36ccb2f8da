"""The local world's Lambda functions: ``world.yaml`` ``lambda: {functions: [...]}``.

Each entry is a GetFunctionConfiguration answer. The function is made through the ordinary API
(CreateFunction, with a stub deployment package: nothing runs locally) with its memory, timeout,
runtime and handler; the fields CreateFunction cannot set in moto (``LoggingConfig``, ``LastModified``,
``State``, ``Version``) are merged into GetFunctionConfiguration's answer by an after-call handler
active only under the mock (:mod:`.world_answers`). An asynchronous ``Invoke`` (a redrive) is queued
as Lambda does (202 and a request id) without running the code: moto would start a container.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import TYPE_CHECKING, Any

from .world_answers import _http, _install, merge_after, mocked

if TYPE_CHECKING:
    import boto3

    from .world import World

__all__ = ["load"]

_SET_BY_CREATE = {"FunctionName", "Runtime", "Role", "Handler", "MemorySize", "Timeout", "Description",
                  "Environment", "Architectures", "PackageType", "ImageUri", "ImageConfigResponse"}


def load(session: boto3.Session, world: World) -> None:
    functions = (world.data.get("lambda") or {}).get("functions") or []
    if not functions:
        return
    _install("before-call.lambda.Invoke", _queue_async_invoke)
    client = session.client("lambda", region_name=world.region)
    iam = session.client("iam", region_name=world.region)
    for fn in functions:
        # The function's own role, created when the world does not hold it (Lambda refuses a role that does not
        # exist); GetFunctionConfiguration answers with the world's ARN.
        role = _role(iam, world, str(fn.get("Role") or ""))
        kwargs: dict[str, Any] = {"FunctionName": fn["FunctionName"], "Role": role,
                                  "MemorySize": int(fn.get("MemorySize") or 128),
                                  "Timeout": int(fn.get("Timeout") or 3)}
        if fn.get("PackageType") == "Image":
            # A container image function: no runtime or handler of its own; the image's ENTRYPOINT and CMD unless
            # its ImageConfig sets them (moto stubs the image, nothing is pulled).
            kwargs.update(PackageType="Image", Code={"ImageUri": str(fn.get("ImageUri") or _image_uri(world, fn))})
            image_config = (fn.get("ImageConfigResponse") or {}).get("ImageConfig")
            if image_config:
                kwargs["ImageConfig"] = image_config
        else:
            kwargs.update(Runtime=fn.get("Runtime") or "python3.12", Handler=fn.get("Handler") or "app.handler",
                          Code={"ZipFile": _stub()})
        if fn.get("Environment"):
            kwargs["Environment"] = fn["Environment"]
        if fn.get("Architectures"):
            kwargs["Architectures"] = fn["Architectures"]
        client.create_function(**kwargs)
        extra = {k: v for k, v in fn.items() if k not in _SET_BY_CREATE or (k == "Role" and v != role)}
        if extra:
            # By name: the answer's ARN carries the qualifier asked for ("...:function:name:$LATEST").
            merge_after("after-call.lambda.GetFunctionConfiguration", ("FunctionName",), fn["FunctionName"], extra)


def _image_uri(world: World, fn: dict[str, Any]) -> str:
    return f"{world.account}.dkr.ecr.{world.region}.amazonaws.com/{fn['FunctionName']}:latest"


def _role(iam: Any, world: World, arn: str = "") -> str:
    name = arn.rsplit("/", 1)[-1] if arn.startswith("arn:") and ":role/" in arn else "world-lambda-execution"
    try:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                          "Principal": {"Service": "lambda.amazonaws.com"}}]}
        return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])


def _stub() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return None\n")
    return buf.getvalue()


def _queue_async_invoke(model: Any, params: dict[str, Any], context: Any = None, **_: Any) -> Any:
    """before-call.lambda.Invoke: an Event invocation of an existing function is accepted (202), not run."""
    if not mocked():
        return None
    headers = params.get("headers") or {}
    if headers.get("X-Amz-Invocation-Type") != "Event":
        return None
    name = str(params.get("url_path") or "").split("/functions/")[-1].split("/")[0]
    from urllib.parse import unquote

    from moto.awslambda.models import lambda_backends

    name = unquote(name)
    for regions in list(lambda_backends.values()):
        for backend in list(regions.values()):
            try:
                backend.get_function(name)
            except Exception:  # moto's not-found, whatever its class
                continue
            http, parsed = _http(model, 202, {"StatusCode": 202})
            return http, parsed
    return _http(model, 404, {"Error": {"Code": "ResourceNotFoundException", "Message": f"Function not found: {name}"}})
