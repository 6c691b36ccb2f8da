"""Secrets never leave the process; ordinary evidence text is never damaged."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from incident_responder.evidence.redaction import redact, redact_obj

LOGHUB = Path(__file__).resolve().parent.parent / "fixtures" / "loghub"

# (text, the secret that must disappear, the marker kind, context that must survive)
SECRETS = [
    ("using key AKIAIOSFODNN7EXAMPLE for upload", "AKIAIOSFODNN7EXAMPLE", "aws_access_key_id", "for upload"),
    ("temporary creds ASIAY34FZKBOKMUTVV7A", "ASIAY34FZKBOKMUTVV7A", "aws_access_key_id", "temporary creds"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key", "aws_secret_access_key ="),
    ('{"AccessKeyId": "ASIAY34FZKBOKMUTVV7A", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}',
     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key", '"SecretAccessKey": '),
    ("SecretAccessKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
     "aws_secret_access_key", "SecretAccessKey:"),
    ("aws_session_token=FwoGZXIvYXdzEBYaDHhBTEXAMPLETOKEN1234567890abcdef",
     "FwoGZXIvYXdzEBYaDHhBTEXAMPLETOKEN", "aws_session_token", "aws_session_token="),
    ('"SessionToken": "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample"',
     "IQoJb3JpZ2luX2VjEJr", "aws_session_token", '"SessionToken"'),
    ("Authorization: Bearer abc.def-ghi_12345678", "abc.def-ghi_12345678", "authorization",
     "Authorization: Bearer"),
    ("curl -H 'Authorization: Basic dXNlcjpwYXNzd29yZA=='", "dXNlcjpwYXNzd29yZA==", "authorization",
     "curl -H"),
    ("sent Bearer sk9f8e7d6c5b4a3 to api", "sk9f8e7d6c5b4a3", "bearer_token", "to api"),
    ("id_token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNH",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "jwt", "id_token"),
    ("connecting to postgres://etl_user:S3cr3t!pw@db.internal:5432/warehouse", "S3cr3t!pw", "url_password",
     "postgres://etl_user:"),
    ("Server=tcp:sql.example.net,1433;Database=dw;User ID=etl;Password=Hunter2!;Encrypt=True", "Hunter2!",
     "password", ";Encrypt=True"),
    ("jdbc:mysql://db:3306/x?user=etl&pwd=abc123xyz&ssl=true", "abc123xyz", "password", "&ssl=true"),
    ("PGPASSWORD=supersecret psql -h warehouse", "supersecret", "password", "psql -h warehouse"),
    ('{"user": "bob", "password": "p@ss\\"word"}', 'p@ss\\"word', "password", '"user": "bob"'),
    ("secret=abcd1234 done", "abcd1234", "secret", "done"),
    ("api_key=ZZZZ1234abcd region=eu-west-1", "ZZZZ1234abcd", "api_key", "region=eu-west-1"),
    ("GET /callback?token=4f3c2b1a0e9d&x=1", "4f3c2b1a0e9d", "token", "&x=1"),
    ("client_secret: 8f14e45fceea167a5a36dedd4bea2543", "8f14e45fceea167a5a36dedd4bea2543", "secret",
     "client_secret:"),
    ("bot token xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
     "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "slack_token", "bot token"),
    ("user token xoxp-1234567890-1234567890-abcdefabcdef", "xoxp-1234567890-1234567890-abcdefabcdef",
     "slack_token", "user token"),
    ("legacy xoxa-2-1234567890-abcdefghij", "xoxa-2-1234567890-abcdefghij", "slack_token", "legacy"),
    ("socket xapp-1-A0123456789-1234567890-abcdef0123", "xapp-1-A0123456789-1234567890-abcdef0123",
     "slack_token", "socket"),
    ("posting to https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX now",
     "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "slack_webhook", "now"),
    ("key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7\nq2w==\n-----END RSA PRIVATE KEY-----\nafter",
     "MIIEowIBAAKCAQEAx7", "private_key", "after"),
    ("-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ",
     "b3BlbnNzaC1rZXktdjEAAAAABG5v", "private_key", ""),
    ("cloning with ghp_abcdefghijklmnopqrstuvwxyz0123456789 ok", "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
     "github_token", "ok"),
    ("https://b.s3.amazonaws.com/k?X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE&X-Amz-Signature=ab12cd34ef56",
     "ab12cd34ef56", "aws_signature", "https://b.s3.amazonaws.com/k?"),
    ("mysql --user=etl --password hunter2 -h db", "hunter2", "password", "-h db"),
]


@pytest.mark.parametrize(("text", "secret", "kind", "context"), SECRETS, ids=[s[2] for s in SECRETS])
def test_each_secret_kind_is_redacted_and_context_kept(
    text: str, secret: str, kind: str, context: str
) -> None:
    out = redact(text)
    assert secret not in out
    assert f"[REDACTED:{kind}]" in out
    assert context in out


def test_url_password_keeps_user_and_host() -> None:
    out = redact("s3a sync failed for mongodb://reporter:pa55w0rd@mongo-1.internal:27017/db")
    assert out == "s3a sync failed for mongodb://reporter:[REDACTED:url_password]@mongo-1.internal:27017/db"


def test_redaction_is_idempotent() -> None:
    for text, *_ in SECRETS:
        once = redact(text)
        assert redact(once) == once


# Real failure messages (the project's shared error corpus, ids 1-52) and ordinary identifiers.
ORDINARY = [
    "Status reason\tOutOfMemoryError: Container killed due to memory usage Exit Code\t137",
    "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref "
    "docker.io/library/no_such_image:latest: pull access denied, repository does not exist or may require "
    "authorization: server message: insufficient_scope: authorization failed",
    "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval "
    "failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch "
    "secret arn:aws:secretsmanager:us-west-2:*:secret:DBPasswordSecret-* from secrets manager: "
    "RequestCanceled: request context canceled caused by: context deadline exceeded. Please check your task "
    "network configuration.",
    "2020-11-10T05:46:57.874Z 160788cd-45ff-4583-809f-c7e31127cb95 Task timed out after 3.07 seconds",
    '{"errorMessage": "Unable to import module \'lambda_function\': No module named \'lambda_function\'", '
    '"errorType": "Runtime.ImportModuleError", "requestId": "b256388f-2bb3-408c-932c-4cfc57cfdb4c", '
    '"stackTrace": []}',
    "ServiceException (Service: AWSLambda; Status Code: 500; Error Code: ServiceException; "
    "Request ID: 2f126f71-7ef2-4b92-bacd-76dafcb55aa5)",
    "An error occurred while executing the state 'RaiseRuntime' (entered at the event id #2). Invalid path "
    "'$.no.such.result.path' : Missing property in path $['no']",
    "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied",
    "17/11/25 18:23:24 ERROR YarnClusterScheduler: Lost executor 9 on harrisburg.cs.colostate.edu: Container "
    "killed by YARN for exceeding memory limits. 7.2 GB of 4.2 GB virtual memory used.",
    "java.lang.OutOfMemoryError: Java heap space",
    "org.apache.hadoop.mapred.FileAlreadyExistsException: Output directory s3://myBucket/logs/beta "
    "already exists",
    "Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; "
    "Request ID: 021AAB703DB20A2D; "
    "S3 Extended Request ID: teZk24Y09TkXzBvMPG502L5VJBhe9DJuWA9/TXtuGOqfByajkfL/Tlqt5JBGdEGpigAqzdMDM/U=)",
    "com.amazonaws.services.s3.model.AmazonS3Exception: Please reduce your request rate. "
    "(Service: Amazon S3; Status Code: 503; Error Code: SlowDown; Request ID: 03D8D00FA3AD0455)",
    "AnalysisException: u'Path does not exist: hdfs://ip-172-31-74-135.ec2.internal:8020/user/root/sales;'",
    "Error running query: HIVE_BAD_DATA: Field userContextId's type INT64 in parquet is incompatible",
    "ERROR: ThrottlingException: Rate exceeded\n"
    "status code: 400, request id: 14528fcb-76fc-11e6-9d4c-cb4ccd1cee97",
    "ExpiredToken: The security token included in the request is expired",
    "The security token included in the request is invalid.",
    "arn:aws:states:eu-west-1:123456789012:execution:customer-etl:run-2024-06-01T02-00-00Z-7f3a",
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/warehouse/password-AbCdEf",
    "SecretId=arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db max_tokens=2000 token_ttl=60",
    "Essential container in task exited; exit code 137; exitCode=1; ExitCode: 2",
    "execution name 6f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b started 2024-06-01T02:00:00.123Z",
    "s3://customer-data/raw/2024/06/01/part-00000-9e1b.snappy.parquet",
    "j-1K48XXXXXHCB s-3QM0XXXXXM1W jr_bebcc0123456789abcdef ECS task 0123456789abcdef0123456789abcdef",
    "PWD=/home/hadoop HOME=/home/hadoop",
    "Kind: YARN_AM_RM_TOKEN, Service: , Ident: (appAttemptId { application_id { id: 20 } })",
    # MySQL's refusal says whether a password was sent, not which (zendesk/maxwell#1364).
    "java.sql.SQLException: Access denied for user 'test'@'192.168.2.3' (using password: YES)",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_evidence_is_untouched(text: str) -> None:
    assert redact(text) == text


def test_loghub_lines_are_untouched() -> None:
    changed = []
    for path in sorted(LOGHUB.glob("*.log")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if redact(line) != line:
                changed.append(line)
    assert changed == []


def test_redact_obj_walks_nested_input_without_mutating_it() -> None:
    execution_input = {
        "job": "customer-etl",
        "arguments": ["--db-url", "postgres://etl:pw12345@db:5432/dw", "--date", "2024-06-01"],
        "connection": {"host": "db", "password": "hunter2", "port": 5432, "PasswordSecretArn": "arn:aws:x"},
        "headers": [{"Authorization": "Bearer abcdef1234567890"}],
        "apiKey": 123456789,
        "retries": 3,
        "enabled": True,
        "note": None,
    }
    original = copy.deepcopy(execution_input)
    out = redact_obj(execution_input)
    assert execution_input == original
    assert out["arguments"][1] == "postgres://etl:[REDACTED:url_password]@db:5432/dw"
    assert out["connection"] == {"host": "db", "password": "[REDACTED:password]", "port": 5432,
                                 "PasswordSecretArn": "arn:aws:x"}
    assert "abcdef1234567890" not in str(out["headers"])
    assert out["apiKey"] == "[REDACTED:api_key]"
    assert out["retries"] == 3 and out["enabled"] is True and out["note"] is None
    assert out["job"] == "customer-etl" and out["arguments"][3] == "2024-06-01"


def test_redact_obj_blanks_named_values_and_flag_arguments() -> None:
    overrides = {
        "environment": [
            {"name": "DB_PASSWORD", "value": "hunter2-db"},
            {"name": "ORDERS_BUCKET", "value": "acme-orders-raw"},
            {"name": "MAX_TOKENS", "value": "2000"},
        ],
        "Properties": [
            {"Key": "spark.jdbc.password", "Value": "hunter2-spark"},
            {"Key": "spark.executor.cores", "Value": "4"},
        ],
        "Args": ["spark-submit", "--db-password", "hunter2-arg", "--token-ttl", "60", "--date", "2024-06-01"],
    }
    out = redact_obj(overrides)
    assert "hunter2" not in str(out)
    assert out["environment"][0] == {"name": "DB_PASSWORD", "value": "[REDACTED:password]"}
    assert out["environment"][1:] == overrides["environment"][1:]  # ordinary values and settings stay
    assert out["Properties"][0]["Value"] == "[REDACTED:password]" and out["Properties"][1]["Value"] == "4"
    assert out["Args"] == ["spark-submit", "--db-password", "[REDACTED:password]", "--token-ttl", "60", "--date",
                           "2024-06-01"]


def test_redact_obj_parses_json_strings_when_asked() -> None:
    text = '{"client":{"apiKey":123456789,"host":"db"},"day":"2024-06-01"}'
    assert redact_obj(text) == text  # as text, a number under a secret key looks like any number
    out = redact_obj({"input": text}, parse_json=True)
    assert json.loads(out["input"]) == {"client": {"apiKey": "[REDACTED:api_key]", "host": "db"}, "day": "2024-06-01"}
    plain = '{"day": "2024-06-01", "dsn": "postgres://etl@db/x"}'
    assert redact_obj(plain, parse_json=True) == plain  # nothing secret: the text is kept as it was
    assert redact_obj(out, parse_json=True) == out  # idempotent


# -- the corpus (tests/fixtures/secrets): every shape caught, every negative untouched -----------------------
CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "secrets"
SHAPES = yaml.safe_load((CORPUS / "shapes.yaml").read_text(encoding="utf-8"))
NEGATIVES = yaml.safe_load((CORPUS / "negatives.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("shape", SHAPES, ids=[s["id"] for s in SHAPES])
def test_every_secret_shape_of_the_corpus_is_redacted(shape: dict[str, str]) -> None:
    out = redact(shape["text"])
    assert shape["secret"] not in out
    assert "[REDACTED:" in out
    assert redact(out) == out


@pytest.mark.parametrize("separator", [" | ", " ", "\n", "; ", ", "])
def test_shapes_side_by_side_do_not_hide_each_other(separator: str) -> None:
    # A rule that swallowed its neighbour's key (a Cookie header up to the next quote) let that secret through.
    text = separator.join(s["text"] for s in SHAPES)
    out = redact(text)
    assert [s["id"] for s in SHAPES if s["secret"] in out] == []
    assert redact(out) == out


@pytest.mark.parametrize("negative", NEGATIVES, ids=[n["id"] for n in NEGATIVES])
def test_no_negative_of_the_corpus_is_touched(negative: dict[str, str]) -> None:
    assert redact(negative["text"]) == negative["text"]


def test_the_review_findings_keep_their_context() -> None:
    assert redact("aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") == (
        "aws configure set aws_secret_access_key [REDACTED:aws_secret_access_key]")
    assert redact("postgresql://etl:p@ss/w0rd@db.example.com:5432/orders") == (
        "postgresql://etl:[REDACTED:url_password]@db.example.com:5432/orders")
    assert redact("jdbc:oracle:thin:scott/T1ger-Fake@//db:1521/ORCL") == (
        "jdbc:oracle:thin:scott/[REDACTED:password]@//db:1521/ORCL")
    assert redact("//registry.npmjs.org/:_authToken=f4ce0000-1111-2222-3333-444455556666") == (
        "//registry.npmjs.org/:_authToken=[REDACTED:token]")
    assert redact('["--db-password","x9-fake"]') == '["--db-password","[REDACTED:password]"]'
    assert redact("mysql -u root -pMysqlPw-f4ke orders") == "mysql -u root -p[REDACTED:password] orders"
    assert redact('{"hdr": "Basic ZXRsOkZha2VCYXNpY1B3MQ=="}') == '{"hdr": "Basic [REDACTED:basic_auth]"}'
    # Not every base64 word after "Basic" is a credential: it must decode to user:password.
    assert redact("Basic Stats: rows=100 Basic SGVsbG8gd29ybGQ=") == "Basic Stats: rows=100 Basic SGVsbG8gd29ybGQ="


def test_adversarial_inputs_stay_linear() -> None:
    # Shapes that make a backtracking pattern go quadratic or worse: long runs of key characters, many '@'
    # or ':' in one token, an unterminated PEM header, a key word repeated without a separator. Each is
    # redacted in one pass; the benchmark measures the time (benchmarks/bench_redaction.py).
    texts = [
        "a" * 200_000,
        "password" * 20_000,
        "x://" + "u:" * 50_000 + "@" * 50_000,
        "-----BEGIN RSA PRIVATE KEY-----" + "A" * 200_000,
        "token_" * 30_000 + "=1",
        "Authorization: " + "x" * 200_000,
        "Cookie: " + "a=b;" * 40_000,
        "mysql " + " -" * 100_000,
    ]
    for text in texts:
        out = redact(text)
        assert redact(out) == out
