"""A built function under the real Lambda runtime, as a local process: the Runtime Interface Emulator
(RIE) that aws-sam-cli ships and ``awslambdaric``, the Python runtime interface client Lambda's own
Python images run.

``sam build`` output (``.aws-sam/build/<LogicalId>``) is the task root, as ``/var/task`` in Lambda.
The process sees only what Lambda gives a function: the task root first on ``sys.path``, then a
"runtime" folder holding the packages the Lambda Python runtime provides (awslambdaric, boto3 and
their dependencies, linked from this environment), and no site-packages: a dependency missing from
the artifact fails here as it would in Lambda. RIE listens on a loopback port and serves the Lambda
invoke API (``POST /2015-03-31/functions/function/invocations``).

Differences with Lambda kept in mind: the process runs this machine's Python (3.11+, where Lambda has
3.13) and architecture, so compiled wheels built for arm64 are skipped in favour of the pure-Python
fallbacks their packages have (PyYAML, MarkupSafe).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Any

__all__ = ["RieError", "RuntimeInterfaceEmulator", "find_rie", "runtime_folder"]

#: Distributions the Lambda Python runtime provides beside the function's own code.
RUNTIME_DISTRIBUTIONS = ("awslambdaric", "simplejson", "snapshot-restore-py", "boto3", "botocore", "s3transfer",
                         "jmespath", "python-dateutil", "six", "urllib3")
INVOKE_PATH = "/2015-03-31/functions/function/invocations"


class RieError(RuntimeError):
    """The emulator or the runtime cannot be started (missing binary, package or build)."""


def find_rie() -> Path:
    """The RIE binary aws-sam-cli ships for this machine (``samcli/local/rapid/aws-lambda-rie-<arch>``)."""
    arch = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower())
    if arch is None:
        raise RieError(f"no Lambda runtime interface emulator for this machine ({platform.machine()})")
    try:
        import samcli
    except ImportError as exc:
        raise RieError("aws-sam-cli is not installed: it ships the runtime interface emulator "
                       "(make test or pip install aws-sam-cli)") from exc
    binary = Path(samcli.__file__).parent / "local" / "rapid" / f"aws-lambda-rie-{arch}"
    if not binary.is_file():
        raise RieError(f"{binary} not found in the installed aws-sam-cli")
    if not os.access(binary, os.X_OK):
        binary.chmod(binary.stat().st_mode | 0o111)
    return binary


def runtime_folder(into: Path) -> Path:
    """A folder of links to the packages the Lambda Python runtime provides, for ``sys.path``."""
    into.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_DISTRIBUTIONS:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError as exc:
            if name == "awslambdaric":
                raise RieError("awslambdaric is not installed (make test or pip install awslambdaric)") from exc
            continue  # an optional dependency of a newer or older release
        top: set[str] = set()
        for file in dist.files or []:
            first = file.parts[0]
            if first.endswith((".dist-info", ".egg-info")) or first in ("..", "bin") or first.startswith("__"):
                continue
            top.add(first)
        for entry in top:
            source = Path(str(dist.locate_file(entry)))
            link = into / entry
            if source.exists() and not link.exists():
                link.symlink_to(source)
    return into


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class RuntimeInterfaceEmulator:
    """One function's artifact under RIE + awslambdaric, as a child process.

    ``env`` is the function's environment (its variables, region, credentials, endpoints);
    ``output`` receives the process' output (the function's log lines and RIE's START/END/REPORT).
    """

    def __init__(self, artifact: Path, handler: str, env: dict[str, str], *, function_name: str,
                 timeout: int = 30, memory: int = 512, host: str = "127.0.0.1",
                 output: IO[str] | None = None) -> None:
        self.artifact = Path(artifact).resolve()
        self.handler = handler
        self.env = env
        self.function_name = function_name
        self.timeout = timeout
        self.memory = memory
        self.host = host
        self.output = output if output is not None else sys.stderr
        self.port = 0
        self._proc: subprocess.Popen[str] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._pump: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{INVOKE_PATH}"

    def __enter__(self) -> RuntimeInterfaceEmulator:
        if not (self.artifact / self.handler.split(".", 1)[0]).exists():
            raise RieError(f"{self.artifact} holds no {self.handler.split('.', 1)[0]}/: not a sam build output "
                           "of this function (run sam build --config-file sam/samconfig.toml)")
        binary = find_rie()
        self._tmp = tempfile.TemporaryDirectory(prefix="ir-runtime-")
        runtime = runtime_folder(Path(self._tmp.name) / "runtime")
        self.port, api_port = _free_port(self.host), _free_port(self.host)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            "PYTHONPATH": f"{self.artifact}{os.pathsep}{runtime}",
            "PYTHONDONTWRITEBYTECODE": "1",
            "LAMBDA_TASK_ROOT": str(self.artifact),
            "_HANDLER": self.handler,
            "AWS_LAMBDA_FUNCTION_NAME": self.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(self.timeout),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory),
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{self.function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": "local",
            **self.env,
        }
        # -S: no site-packages and no .pth files (the editable install of this checkout among them).
        command = [str(binary), "--runtime-interface-emulator-address", f"{self.host}:{self.port}",
                   "--runtime-api-address", f"{self.host}:{api_port}", "--log-level", "error",
                   sys.executable, "-S", "-m", "awslambdaric", self.handler]
        self._proc = subprocess.Popen(command, cwd=self.artifact, env=env, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                      start_new_session=True)
        self._pump = threading.Thread(target=self._copy_output, daemon=True)
        self._pump.start()
        self._wait_listening()
        return self

    def _copy_output(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            self.output.write(line)
            self.output.flush()

    def _wait_listening(self, seconds: float = 15.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                raise RieError(f"the runtime interface emulator exited with status {self._proc.returncode}")
            with contextlib.suppress(OSError), socket.create_connection((self.host, self.port), timeout=0.5):
                return
            time.sleep(0.05)
        raise RieError(f"the runtime interface emulator did not listen on {self.host}:{self.port}")

    def invoke(self, event: Any) -> Any:
        """POST the event to the Lambda invoke API; returns the decoded answer (a function error's
        ``{"errorMessage", "errorType", ...}`` included, as Lambda returns it)."""
        body = json.dumps(event).encode()
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout + 30) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
        text = raw.decode("utf-8", errors="replace")
        try:
            return json.loads(text) if text else None
        except json.JSONDecodeError:
            return text

    def __exit__(self, *exc: Any) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self._proc.pid, 15)
                try:
                    self._proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self._proc.pid, 9)
                    self._proc.wait()
            if self._pump is not None:
                self._pump.join(timeout=5)
            self._proc = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def default_build_dir() -> Path:
    """Where ``sam build --config-file sam/samconfig.toml`` puts its output: ``.aws-sam/build``."""
    return Path.cwd() / ".aws-sam" / "build"


def which_sam() -> str | None:
    beside = Path(sys.executable).with_name("sam")
    return str(beside) if beside.exists() else shutil.which("sam")
