"""Diagnosis of failures no signature describes: exception chains, class rules, precedence, quotes.

The corpus tests at the end score the real messages of tests/fixtures/error_catalog/ and fail when
accuracy drops below its floor or wrong answers start to be given with high confidence.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest

from incident_responder.analyze import signature_set
from incident_responder.diagnosis.chains import error_codes, parse_chain, render_chain
from incident_responder.diagnosis.classes import is_weak_line, was_retried
from incident_responder.diagnosis.quotes import quote
from incident_responder.evidence.compaction import at_memory_limit, compact, is_bookkeeping
from incident_responder.model import Category, Confidence, EvidenceBook
from incident_responder.sources.stepfunctions.evidence import cause_text
from incident_responder_local.knowledge import FIRST_SCORES, HELD_OUT, TUNING, corpus_dir, corpus_rows, diagnose_row

# The rules and the term model were tuned on TUNING (each held-out batch after it was scored once). Each
# later batch as first scored, collected after the rules were frozen and before any rule was corrected from it
# (FIRST_SCORES): its accuracy now may not fall below that first score.
FIRST_SCORE = {name: first.accuracy for name, first in FIRST_SCORES.items()}

SPARK_CHAIN = """org.apache.spark.SparkException: Job aborted due to stage failure: Task 3 in stage 2.0 failed 4 times
\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2059)
Caused by: java.io.IOException: Could not read footer for file s3://bucket/part-0001.parquet
\tat org.apache.parquet.hadoop.ParquetFileReader.readFooter(ParquetFileReader.java:521)
Caused by: java.net.UnknownHostException: bucket.s3.amazonaws.com: Name or service not known
\t... 12 more"""

PY_DIRECT_CAUSE = """Traceback (most recent call last):
  File "/var/task/app.py", line 10, in load
    conn = psycopg2.connect(dsn)
psycopg2.OperationalError: could not connect to server: Connection refused

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/var/task/app.py", line 20, in handler
    load()
RuntimeError: loading the batch failed"""

PY_DURING_HANDLING = """Traceback (most recent call last):
  File "job.py", line 3, in <module>
    row['amount']
KeyError: 'amount'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "job.py", line 5, in <module>
    raise ValueError("bad record")
ValueError: bad record"""

DOTNET_INNER = """System.InvalidOperationException: An exception has been raised that is likely due to a transient \
failure.
 ---> Npgsql.NpgsqlException (0x80004005): Exception while reading from stream
 ---> System.TimeoutException: Timeout during reading attempt
   at Npgsql.Internal.NpgsqlConnector.ReadMessageLong()"""

NODE_CAUSE = """Error: Failed to load batch
    at load (/var/task/index.js:10:11)
  [cause]: Error: connect ECONNREFUSED 10.0.0.5:5432
      at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1495:16)"""

URLLIB3_REPR = ("urllib3.exceptions.MaxRetryError: HTTPSConnectionPool(host='api.example.com', port=443): Max "
                "retries exceeded with url: /v1 (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection "
                "object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused'))")


def book(*texts: str) -> EvidenceBook:
    b = EvidenceBook()
    for t in texts:
        b.add("log", "/aws/lambda/fn", t)
    return b


def diagnose(b: EvidenceBook, source: str = "stepfunctions") -> Any:
    return signature_set().diagnose(b.items, source, {"function_name": "fn", "resource_name": "job"})


# ---- exception chains ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "types"), [
    (SPARK_CHAIN, ["org.apache.spark.SparkException", "java.io.IOException", "java.net.UnknownHostException"]),
    (PY_DIRECT_CAUSE, ["RuntimeError", "psycopg2.OperationalError"]),
    (PY_DURING_HANDLING, ["ValueError", "KeyError"]),
    (DOTNET_INNER, ["System.InvalidOperationException", "Npgsql.NpgsqlException", "System.TimeoutException"]),
    (NODE_CAUSE, ["Error", "Error"]),
    (URLLIB3_REPR, ["urllib3.exceptions.MaxRetryError", "NewConnectionError"]),
    # An exception without arguments, its class's qualified name alone at the traceback's end (scrapy/scrapy#5026).
    ('Traceback (most recent call last):\n  File "/app/run.py", line 41, in <module>\n    reactor.run()\n'
     "twisted.internet.error.ReactorNotRestartable", ["twisted.internet.error.ReactorNotRestartable"]),
])
def test_chains_are_read_outermost_first_and_root_cause_last(text: str, types: list[str]) -> None:
    assert [link.type for link in parse_chain(text)] == types


def test_chain_links_keep_their_messages_without_runtime_noise() -> None:
    links = parse_chain(DOTNET_INNER)
    assert links[1].message == "Exception while reading from stream"  # no "(0x80004005):"
    assert links[-1].message == "Timeout during reading attempt"
    assert parse_chain(NODE_CAUSE)[-1].message == "connect ECONNREFUSED 10.0.0.5:5432"
    assert all(link.runtime == "python" for link in parse_chain(PY_DIRECT_CAUSE))


def test_render_chain_is_compact_and_ends_with_the_root_cause() -> None:
    rendered = render_chain(parse_chain(SPARK_CHAIN))
    assert rendered.split(" → ")[-1].startswith("UnknownHostException: bucket.s3.amazonaws.com")
    assert "org.apache" not in rendered  # simple class names


@pytest.mark.parametrize(("text", "code"), [
    ("An error occurred (AccessDenied) when calling the GetObject operation: Access Denied", "AccessDenied"),
    ("(Service: Amazon S3; Status Code: 503; Error Code: SlowDown; Request ID: X)", "SlowDown"),
    ('{"errorType":"Runtime.ExitError","errorMessage":"exit status 1"}', "Runtime.ExitError"),
    ("Error: connect ECONNREFUSED 10.0.0.5:5432", "ECONNREFUSED"),
    # SQLSTATE, as the database drivers print it
    ("Error!: SQLSTATE[23505]: Unique violation: 7 ERROR:  duplicate key value", "23505"),
    ("ERROR: permission denied for schema core (SQLSTATE 42501)", "42501"),
    ("executeBatch failed, errCode=1292, sqlState=22001, error msg=Data truncation", "22001"),
    ("snowflake.connector.errors.ProgrammingError: 100038 (22018): Numeric value 'abc' is not recognized", "22018"),
    ("redshift_connector.error.ProgrammingError: {'S': 'ERROR', 'C': '42P01', 'M': 'relation \"x\" does not exist'}",
     "42P01"),
    # An HTTP status in parentheses after the error's name (Sentry's transport, getsentry/sentry-javascript#4582).
    ('{"errorType": "SentryError", "errorMessage": "HTTP Error (429)", "name": "SentryError"}', "429"),
])
def test_error_codes_are_read_from_their_usual_places(text: str, code: str) -> None:
    assert code in error_codes(text)


def test_the_deepest_cause_of_a_chain_decides_and_the_chain_is_exposed() -> None:
    d = diagnose(book(SPARK_CHAIN), "emr")
    assert d.cause.category == Category.DEPENDENCY_UNAVAILABLE
    assert len(d.chain) == 3 and d.chain[-1].startswith("UnknownHostException")


def test_a_class_rule_explanation_shows_the_chain() -> None:
    d = diagnose(book(DOTNET_INNER), "ecs")
    assert d.rule.startswith("class:")
    assert "Cause chain:" in d.cause.explanation and "TimeoutException" in d.cause.explanation


def test_python_direct_cause_wins_over_the_wrapper() -> None:
    d = diagnose(book(PY_DIRECT_CAUSE))
    assert d.cause.category == Category.DEPENDENCY_UNAVAILABLE
    assert d.chain[-1].startswith("OperationalError")


# ---- generic versus specific ------------------------------------------------------------------------

def test_a_generic_rule_alone_gives_at_most_medium_confidence() -> None:
    d = diagnose(book("Traceback (most recent call last):", "  File \"/var/task/app.py\", line 3, in handler",
                      "Exception: step failed"))
    assert d.cause.confidence != Confidence.HIGH


@pytest.mark.parametrize(("texts", "category"), [
    (("Traceback (most recent call last):", "  File \"/var/task/app.py\", line 9, in handler",
      "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the PutObject operation: "
      "Access Denied"), Category.PERMISSION_DENIED),
    (("Command failed with exit code 1",
      "ERROR Executor: java.lang.OutOfMemoryError: Java heap space"), Category.OUT_OF_MEMORY),
    (("Job aborted.", "Caused by: java.io.FileNotFoundException: No such file or directory: s3://b/in/2024-06-01"),
     Category.MISSING_INPUT),
])
def test_a_specific_cause_anywhere_beats_the_generic_rule(texts: tuple[str, ...], category: Category) -> None:
    assert diagnose(book(*texts)).cause.category == category


def test_a_lambda_process_that_exited_gives_way_to_a_runtime_client_it_could_not_load() -> None:
    # A runtime client without a native library for the function's architecture (aws/aws-lambda-java-libs#276): the
    # exit says where the function stopped, the line before it why.
    d = diagnose(book("Failed to load the native runtime interface client library /aws-lambda-runtime-interface-client"
                      ".glibc.so. Exception: /tmp/.aws-lambda-runtime-interface-client: cannot open shared object file",
                      "RequestId: 6f2c9a14 Error: Runtime exited with error: exit status 1 Runtime.ExitError"),
                 "lambda")
    assert (d.cause.category, d.cause.confidence) == (Category.CONFIGURATION, Confidence.MEDIUM)


def test_an_umbrella_exception_gives_way_to_the_phrase_in_its_message() -> None:
    # InvalidInputException names a family; "limit exceeded" names the cause.
    d = diagnose(book("botocore.errorfactory.InvalidInputException: An error occurred (InvalidInputException) "
                      "when calling the StartJobRun operation: Request size limit exceeded"), "glue")
    assert d.cause.category == Category.CAPACITY


@pytest.mark.parametrize(("text", "source", "category", "sure"), [
    # Libraries throw these for any reason: the message's phrase decides (mozilla/telemetry-streaming#25)...
    ("java.lang.IllegalStateException: Cannot fetch offset 7881614 (TopicPartition: telemetry-86). Some data may "
     "have been lost because they are not available in Kafka any more", "emr", Category.MISSING_INPUT, None),
    ("panic: error submitting job: : JobQueue x-job-queue not found.", "batch", Category.CONFIGURATION, None),
    # ... and when the message names nothing, the class alone is a bug, said without certainty.
    ("java.lang.IllegalStateException: RpcEnv already stopped.", "emr", Category.CODE_ERROR, False),
])
def test_an_exception_thrown_for_any_reason_gives_way_to_its_message(
        text: str, source: str, category: Category, sure: bool | None) -> None:
    d = diagnose(book(text), source)
    assert d.cause.category == category
    assert sure is None or (d.cause.confidence == Confidence.HIGH) == sure


@pytest.mark.parametrize(("text", "source", "category"), [
    # A container wrapper names no cause; the message after it does.
    ("Task failed to start - CannotPullContainerError: write /var/lib/docker/tmp/GetImageBlob1: no space left on "
     "device", "batch", Category.DISK_FULL),
    ("CannotStartContainerError: Error response from daemon: OCI runtime create failed: container init was "
     "OOM-killed (memory limit too low?): unknown", "ecs", Category.OUT_OF_MEMORY),
    # Athena's cursor error wraps any failed read: a throttled S3 read is throttling.
    ("Query entered state FAILED with reason HIVE_CURSOR_ERROR: Please reduce your request rate.", "athena",
     Category.THROTTLING),
    # S3's "503 Slow Down": the phrase of the high throttling rule outranks the medium 5xx rule's longer one.
    ("HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split s3://b/dt=2020-05-29/part-00000.parquet (offset=0): "
     "Slow Down (Service: Amazon S3; Status Code: 503; Error Code: 503 Slow Down; Request ID: 7Q2)", "athena",
     Category.THROTTLING),
    # Batch's attempt line around an EFS mount the file system policy refused: the wrapper's class name, however
    # long, is one word; "access denied" in its message is the cause.
    ("Attempt 1 of 1: no exit code — reason: ResourceInitializationError: failed to invoke EFS utils commands to set "
     "up EFS volumes: stderr: b'mount.nfs4: access denied by server while mounting 127.0.0.1:/' : unsuccessful EFS "
     "utils command execution; code: 32", "batch", Category.PERMISSION_DENIED),
])
def test_a_wrapper_gives_way_to_the_cause_in_its_message(text: str, source: str, category: Category) -> None:
    assert diagnose(book(text), source).cause.category == category


@pytest.mark.parametrize("text", [
    "java.lang.NoSuchMethodError: org.json4s.CustomSerializer.<init>(Lscala/Function1;)V\n"
    "\tat com.example.Loader.run(Loader.scala:12)",
    # the JDK 11+ form, with the method's return type in quotes
    "java.lang.NoSuchMethodError: 'void org.apache.spark.sql.execution.exchange.ShuffleExchangeLike.$init$("
    "org.apache.spark.sql.execution.exchange.ShuffleExchangeLike)'",
    # a space before the colon (a Glue "Exception in User Class" line)
    "Exception in User Class: java.lang.NoSuchMethodError : scala.Product.$init$(Lscala/Product;)V",
    # a class path in the JVM's slash form, under a Py4J wrapper
    "py4j.protocol.Py4JJavaError: An error occurred while calling o91.save.\n"
    ": java.lang.NoClassDefFoundError: org/apache/spark/sql/sources/v2/DataSourceV2",
    "Caused by: java.lang.ClassNotFoundException: io.delta.storage.LogStore",
    # the class that could not be loaded is itself named ...Exception: its name, not a nested exception
    "Caused by: java.lang.ClassNotFoundException: com.amazonaws.services.dynamodbv2.model.LockNotGrantedException",
])
def test_a_library_class_missing_at_run_time_is_the_classpath_not_the_code(text: str) -> None:
    # Another version of the library than the code was built against, or its jar missing: configuration, and
    # which version is right the words do not say (not high).
    d = diagnose(book(text), "glue")
    assert d.cause.category == Category.CONFIGURATION and d.cause.confidence != Confidence.HIGH
    assert d.rule == "class:configuration-library-linkage"


def test_the_trace_of_a_spark_listener_that_threw_is_a_bystander_not_the_cause() -> None:
    # Spark logs a listener's exception and goes on; the failure is the trace the job ended with (apache/hudi#5451:
    # a ConcurrentModificationException from EventLoggingListener two seconds before the missing lock class).
    b = EvidenceBook()
    src = "/aws-glue/jobs/error/jr_1"
    b.add("log", src, "22/04/28 10:00:19 ERROR AsyncEventQueue: Listener EventLoggingListener threw an exception",
          "2022-04-28T10:00:19.695Z")
    b.add("log", src, "java.util.ConcurrentModificationException", "2022-04-28T10:00:19.695Z")
    b.add("log", src, ": java.lang.NoClassDefFoundError: "
          "com/amazonaws/services/dynamodbv2/model/LockNotGrantedException", "2022-04-28T10:00:21.033Z")
    d = diagnose(b, "glue")
    assert (d.cause.category, d.rule) == (Category.CONFIGURATION, "class:configuration-library-linkage")
    # The same exception on its own, not under a listener's line, is the failure.
    b = EvidenceBook()
    b.add("log", src, "22/04/28 10:00:19 ERROR Executor: Exception in task 0.0", "2022-04-28T10:00:19.695Z")
    b.add("log", src, "java.util.ConcurrentModificationException", "2022-04-28T10:00:19.695Z")
    assert diagnose(b, "glue").cause.category == Category.CODE_ERROR


def test_a_class_of_the_jobs_own_missing_at_run_time_stays_the_code() -> None:
    d = diagnose(book("Exception in thread \"main\" java.lang.NoSuchMethodError: "
                      "com.example.etl.Loader.run(Ljava/lang/String;)V\n\tat com.example.etl.Main.main(Main.scala:9)"),
                 "glue")
    assert d.cause.category == Category.CODE_ERROR and d.cause.confidence != Confidence.HIGH
    assert d.rule == "class:code-error-linkage"


def test_athena_error_names_are_read_as_codes() -> None:
    assert "ICEBERG_COMMIT_ERROR" in error_codes("ICEBERG_COMMIT_ERROR: Failed to commit Iceberg update to table")
    d = diagnose(book("INVALID_CAST_ARGUMENT: Cannot cast 'abc' to BIGINT. You may need to manually clean the "
                      "data at location 's3://results/tables/1' before retrying."), "athena")
    assert d.cause.category == Category.BAD_DATA


@pytest.mark.parametrize(("text", "source", "category"), [
    ("An error occurred while executing the state 'Load' (entered at the event id #2). The JSONPath '$.event' "
     "specified for the field 'event.$' could not be found in the input", "stepfunctions", Category.CONFIGURATION),
    ("psycopg2.OperationalError: SSL SYSCALL error: EOF detected", "glue", Category.DEPENDENCY_UNAVAILABLE),
    # the libraries' own MemoryError (aws/aws-sdk-pandas#107)
    ("pyarrow.lib.ArrowMemoryError: malloc of size 1342177280 failed", "glue", Category.OUT_OF_MEMORY),
    ("org.postgresql.util.PSQLException: ERROR: could not serialize access due to concurrent update", "ecs",
     Category.DEPENDENCY_UNAVAILABLE),
    ("django.db.utils.OperationalError: canceling statement due to lock timeout", "ecs", Category.TIMEOUT),
    ("* Error launching source instance: InstanceLimitExceeded: Your quota allows for 0 more running instance(s).",
     "emr", Category.CAPACITY),
    ("ApplicationMaxCapacityExceededException: [memory: 48 GB, disk: 200 GB]", "emrserverless", Category.CAPACITY),
    # A client exception that says the response was a throttle is the throttle, not an unreachable service.
    ("java.util.concurrent.CompletionException: software.amazon.awssdk.core.exception.SdkClientException: Failed "
     "to send the request: Response code indicates throttling (SDK Attempt Count: 1)", "ecs", Category.THROTTLING),
    # A time limit named like a quota.
    ("GENERIC_USER_ERROR: Encountered an exception[java.util.concurrent.CompletionException] from your "
     "LambdaFunction with message[org.apache.tinkerpop.gremlin.driver.exception.ResponseException: "
     "{\"code\":\"TimeLimitExceededException\",\"detailedMessage\":\"A timeout occurred within the script\"}]",
     "athena", Category.TIMEOUT),
    # A feature the work relies on, turned off; a connector not on the classpath.
    ('"Error":"Unprocessable message: Bucket orders-raw does not have versioning enabled"', "ecs",
     Category.CONFIGURATION),
    ("Exception in thread \"main\" java.lang.ClassNotFoundException: Failed to find data source: kinesis. Please "
     "find packages at http://spark.apache.org/third-party-projects.html\nCaused by: java.lang.ClassNotFoundException: "
     "kinesis.DefaultSource", "emr", Category.CONFIGURATION),
    # Athena's engine: out of memory, out of time (not a quota).
    ("EXCEEDED_LOCAL_MEMORY_LIMIT: Query exceeded per-node memory limit of 20GB", "athena", Category.OUT_OF_MEMORY),
    ("EXCEEDED_TIME_LIMIT: Query exceeded maximum time limit of 30.00m", "athena", Category.TIMEOUT),
    ("Query exhausted resources at this scale factor", "athena", Category.OUT_OF_MEMORY),
    # A MERGE whose source holds several rows for one key: the data, not the operation's support.
    ("java.lang.UnsupportedOperationException: Cannot perform MERGE as multiple source rows matched and attempted "
     "to update the same target row in the Delta table.", "emr", Category.BAD_DATA),
    # Code built for a newer Java than the runtime's: the runtime's version is the setting.
    ('Exception in thread "main" java.lang.UnsupportedClassVersionError: com/acme/Ingest has been compiled by a '
     "more recent version of the Java Runtime (class file version 55.0), this version of the Java Runtime only "
     "recognizes class file versions up to 52.0", "emr", Category.CONFIGURATION),
    # A Map run over its tolerated failures: its items failed.
    ("States.ExceedToleratedFailureThreshold", "stepfunctions", Category.UPSTREAM_FAILURE),
    # A Map run refused the permission to start its children: the role, not the definition (States.Runtime).
    ("State 'ProcessAssets' (MapRunFailed) failed with MapRunFailed: States.Runtime — cause: User: arn:aws:sts::"
     "123456789012:assumed-role/sfn-role/x is not authorized to perform: states:StartExecution on resource: "
     "arn:aws:states:us-east-1:123456789012:stateMachine:backfill", "stepfunctions", Category.PERMISSION_DENIED),
    # Glue's StartJobRun on a job name it does not know; a job whose script location names no object.
    ("Glue.EntityNotFoundException — cause: Failed to start job run due to missing metadata. (Service: AWSGlue; "
     "Status Code: 400; Error Code: EntityNotFoundException)", "stepfunctions", Category.CONFIGURATION),
    ('Error downloading script: fatal error: An error occurred (404) when calling the HeadObject operation: Key '
     '"artifacts/mainB-glue-job.py" does not exist', "glue", Category.CONFIGURATION),
    # EC2's throttle that ECS repeats inside an InvalidParameterException.
    ("ECS.InvalidParameterException: Error retrieving security group information for [sg-0f2a4c6e8b1d3a5c7]: "
     "Request limit exceeded. (Service: AmazonECS; Status Code: 400)", "stepfunctions", Category.THROTTLING),
    # A compressed input cut short; an item DynamoDB refuses for what it holds; a buffer used after close.
    ("EOFError: Compressed file ended before the end-of-stream marker was reached", "batch", Category.BAD_DATA),
    ("Caused by: com.amazonaws.services.dynamodbv2.model.AmazonDynamoDBException: One or more parameter values "
     "were invalid: An AttributeValue may not contain an empty string (Service: AmazonDynamoDBv2; Status Code: "
     "400; Error Code: ValidationException)", "emr", Category.BAD_DATA),
    ("ValueError: I/O operation on closed file.", "batch", Category.CODE_ERROR),
    # Glue's InvalidInputException is a family; settings that exclude each other are the setting (boto/boto3#2644).
    ("botocore.errorfactory.InvalidInputException: An error occurred (InvalidInputException) when calling the "
     "UpdateJob operation: Please do not set Max Capacity if using Worker Type and Number of Workers.", "lambda",
     Category.CONFIGURATION),
    # The machine's own host name that does not resolve (Java names it twice): the network's DNS settings, not a
    # service that is down; another host's name that does not resolve is that dependency (metabase/metabase#8373).
    ("Caused by: java.net.UnknownHostException: 00bcf2fe65d4: 00bcf2fe65d4: Name does not resolve", "ecs",
     Category.CONFIGURATION),
    ("Caused by: java.net.UnknownHostException: warehouse-db.internal: Name or service not known", "ecs",
     Category.DEPENDENCY_UNAVAILABLE),
    # Spark's SQL parser refusing a statement is the statement's text; a date the parser refuses is the data's.
    ("pyspark.errors.exceptions.captured.ParseException: [PARSE_SYNTAX_ERROR] Syntax error at or near '('.",
     "emrserverless", Category.CODE_ERROR),
    ('java.text.ParseException: Unparseable date: "2024-13-45"', "glue", Category.BAD_DATA),
    # Trino's wait for more workers than the cluster had.
    ("Query 20250211_093412_00002_k7c2e failed: Insufficient active worker nodes. Waited 5.00m for at least 10 "
     "workers, but only 3 workers are active", "emr", Category.CAPACITY),
    # The interpreter's script missing from the container is the package's, not the run's input.
    ("python: can't open file 'flow.py': [Errno 2] No such file or directory", "batch", Category.CODE_ERROR),
    # Python's tempfile finding no directory it can write in (a full disk, as a rule); Hadoop given a folder of
    # folders as its input path.
    ("FileNotFoundError: [Errno 2] No usable temporary directory found in ['/tmp', '/var/tmp', '/usr/tmp']",
     "batch", Category.DISK_FULL),
    ("Caused by: java.io.IOException: Not a file: hdfs://10.0.0.1:9000/local/snowplow/processing/2013-05-09", "emr",
     Category.CONFIGURATION),
    # Snowflake's statement timeout, from its JDBC driver.
    ("net.snowflake.client.jdbc.SnowflakeSQLException: Statement reached its statement or warehouse timeout of "
     "10,800 second(s) and was canceled.", "glue", Category.TIMEOUT),
    # A limit the service says to wait out is a rate (boto/boto3#1974); a quota of things stays capacity.
    ("botocore.errorfactory.LimitExceededException: An error occurred (LimitExceededException) when calling the "
     "StartTranscriptionJob operation: You have too many jobs running at the same time. Try your request again "
     "later.", "batch", Category.THROTTLING),
    ("LimitExceededException: Cannot exceed quota for PoliciesPerRole: 10", "batch", Category.CAPACITY),
    # A program's own validation refusing its input, by the exception's name; a parameter's stays configuration.
    ("geostore.check_stac_metadata.utils.InvalidSTACRootTypeError: root is a Feature", "lambda", Category.BAD_DATA),
    ("InvalidParameterTypeException: x must be a list", "lambda", Category.CONFIGURATION),
    # Athena could not check or create the results' bucket: the caller's S3 permissions, as a rule.
    ("Athena.InvalidRequestException: Unable to verify/create output bucket usage-reports-athena (Service: "
     "AmazonAthena; Status Code: 400; Error Code: InvalidRequestException)", "stepfunctions",
     Category.PERMISSION_DENIED),
    # A service-linked role the caller may not create.
    ("VALIDATION_ERROR — Service-linked role 'AWSServiceRoleForEMRCleanup' for EMR is required. Please create this "
     "role directly or add permission to create it in your IAM entity.", "lambda", Category.PERMISSION_DENIED),
    # AWS's internal failure, as a JSON body's code; records over a load's error threshold.
    ('Exception: {"code":"InternalFailureException","requestId":"3ac8f1d2","detailedMessage":"Failed to start load '
     'from the source s3://bucket/nodes.csv"}', "lambda", Category.DEPENDENCY_UNAVAILABLE),
    ("Exception: Load 6f2d9a41 failed: 1 insert errors out of 418 records (0.0024) is above the insert error "
     "threshold of 0.0001", "lambda", Category.BAD_DATA),
    # A download that failed, not from S3 and not refused or missing; a workflow's head that a task failed under.
    ("ERROR: failed to download https://downloads.example.org/ref/GRCh38.tar.gz", "batch",
     Category.DEPENDENCY_UNAVAILABLE),
    ('ERROR failed :: error: "RunFailed", message: "workflow JointGenotyping failed at call-ImportGVCFs-1433 (task '
     'command failed with exit status 1)"', "batch", Category.UPSTREAM_FAILURE),
    # apache/hudi#643: a DeltaStreamer checkpoint older than the topic's retention.
    ("Exception in thread \"main\" org.apache.spark.SparkException: Offsets not available on leader: OffsetRange("
     "topic: 'orders-cdc', partition: 0, range: [1081027 -> 1581027])", "emr", Category.MISSING_INPUT),
    # micronaut-projects/micronaut-aws#2048: no deserializer for a type of the S3 event.
    ("io.micronaut.core.beans.exceptions.IntrospectionException: No deserializable introspection present for type: "
     "ResponseElementsEntity responseElements.", "lambda", Category.CODE_ERROR),
    # aws-samples/build-a-360-degree-customer-view-with-aws#1: a blueprint workflow starting a MaxConcurrentRuns-1
    # job once per table.
    ("Run FAILED: Max concurrent runs exceed", "glue", Category.CONFIGURATION),
    # Netflix/metaflow#1326: the command a workflow tool built is longer than Batch takes.
    ("Job start FAILED: Container Overrides length must be at most 8192", "batch", Category.CONFIGURATION),
    # metabase/metabase#23741 (Liquibase) and Flyway: a migration edited after it was applied.
    ("liquibase.exception.ValidationFailedException: Validation Failed:\n     3 change sets check sum\n          "
     "migrations/000_migrations.yaml::v45.00-001::camsaul was: 8:4e2a but is now: 8:1b7c", "ecs", Category.CODE_ERROR),
    ("org.flywaydb.core.api.exception.FlywayValidateException: Validate failed: Migrations have failed validation\n"
     "Migration checksum mismatch for migration version 1", "ecs", Category.CODE_ERROR),
    # nextstrain/ncov#361: bash's report of the tree builder it ran, killed by the kernel for memory.
    ("ERROR: b'/bin/bash: line 1: 18148 Killed                  iqtree -ntmax 2 -s results/global/masked-delim.fasta'",
     "batch", Category.OUT_OF_MEMORY),
    # theoephraim/node-google-spreadsheet#332: a per-100-seconds read quota is a rate.
    ("Error: Google API error - [429] Quota exceeded for quota group 'ReadGroup' and limit 'Read requests per user per "
     "100 seconds' of service 'sheets.googleapis.com'", "ecs", Category.THROTTLING),
    # nf-core/scrnaseq#476: a GPU tool in a Batch job submitted without a GPU; an AssertionError, not the code's
    ("AssertionError: Trying to use CUDA, but CUDA is not available.", "batch", Category.CONFIGURATION),
    # bottlerocket-os/bottlerocket#3960: the NVIDIA hook on the container instance, not a service out of reach
    ("CannotStartContainerError: Error response from daemon: failed to create task for container: OCI runtime create "
     "failed: error running hook #0: error running hook: exit status 1, stdout: , stderr: Auto-detected mode as "
     "'legacy'\nnvidia-container-cli: initialization error: driver rpc error: timed out: unknown", "ecs",
     Category.CONFIGURATION),
    # Huskehhh/MySQL#18: MySQL 8 over a connection without TLS, the JDBC URL's options
    ("java.sql.SQLNonTransientConnectionException: Public Key Retrieval is not allowed", "glue",
     Category.CONFIGURATION),
    # alsmola/cloudtrail-parquet-glue#1: a partition column the script's own mapping never made, no input missing
    ("AnalysisException: u'Partition column `day` not found in schema", "glue", Category.CODE_ERROR),
    # spring-projects/spring-batch#4485: Spring Batch's own tables never created in a new database
    ('Caused by: org.postgresql.util.PSQLException: ERROR: relation "batch_job_instance" does not exist', "ecs",
     Category.CONFIGURATION),
    # ... while a table the job reads is its input
    ('org.postgresql.util.PSQLException: ERROR: relation "settlement_batches" does not exist', "ecs",
     Category.MISSING_INPUT),
    # pola-rs/polars#12210: files of one dataset written with different schemas
    ("polars.exceptions.ComputeError: schema of all files in a single scan_parquet must be equal", "batch",
     Category.BAD_DATA),
    # urllib3/urllib3#3016: a new urllib3 on an image's old OpenSSL, installed unpinned at start
    ("ImportError: urllib3 v2.0 only supports OpenSSL 1.1.1+, currently the 'ssl' module is compiled with "
     "OpenSSL 1.0.2k-fips 26 Jan 2017", "batch", Category.CONFIGURATION),
    # FEniCS/dolfinx#4456: Open MPI's launcher in a container that runs as root
    ("prterun has detected an attempt to run as root.", "batch", Category.CONFIGURATION),
    # anaconda/docker-images#145: `source activate` with no activate script on the image's PATH
    ("/bin/bash: activate: No such file or directory", "batch", Category.CONFIGURATION),
    # JuliaGPU/julia-ngc#1: the image's depot that user 1000 may not read (libuv's EACCES), no IAM policy
    ("ERROR: LoadError: IOError: stat: permission denied (EACCES)", "batch", Category.CONFIGURATION),
    # makeplane/plane#1864: a migration that names a parent migration the app does not have; Django's check
    # warning about a static directory before it is no missing input
    ("?: (staticfiles.W004) The directory '/code/static' in the STATICFILES_DIRS setting does not exist.\n"
     "django.db.migrations.exceptions.NodeNotFoundError: Migration db.0043_auto_20230809_1645 dependencies reference "
     "nonexistent parent node ('db', '0042_auto_20230808_1102')", "ecs", Category.CODE_ERROR),
    # jikig-ai/soleur#4140: a unique index added over rows that repeat its key
    ('psycopg2.errors.UniqueViolation: could not create unique index "users_github_installation_id_unique_idx"\n'
     "DETAIL:  Key (github_installation_id)=(122213433) is duplicated.", "ecs", Category.BAD_DATA),
    # quarkusio/quarkus#6491: a date type the code's Jackson mapper has no module for, not a malformed value
    ("com.fasterxml.jackson.databind.exc.MismatchedInputException: Cannot construct instance of "
     "`org.joda.time.DateTime` (although at least one Creator exists): no String-argument constructor/factory method "
     "to deserialize from String value ('2019-12-11T13:29:08.731Z')", "lambda", Category.CODE_ERROR),
    # HubSpot/hubspot-api-python#117: the status an OpenAPI client's exception opens with
    ("hubspot.crm.companies.exceptions.ApiException: (429) \"message\": \"You have reached your ten_secondly_rolling "
     "limit.\"", "ecs", Category.THROTTLING),
    # ewels/AWS-iGenomes#6: an index built by another STAR than the image's
    ("EXITING because of FATAL ERROR: Genome version: 20201 is INCOMPATIBLE with running STAR version: 2.7.2b", "batch",
     Category.CONFIGURATION),
    # aws-samples/remote-swe-agents#171: a clean-up that deletes a snapshot beside, not after, its AMI
    ("Ec2.Ec2Exception: The snapshot snap-0d3f7a1c9e5b2f4a6 is currently in use by ami-0b7d2e9f4c1a6e3d8 "
     "(Service: Ec2, Status Code: 400)", "stepfunctions", Category.CODE_ERROR),
    # byzer-org/byzer-notebook#144: Oracle's parser refusing "select 1" without FROM DUAL, no input missing
    ("java.sql.SQLSyntaxErrorException: ORA-00923: FROM keyword not found where expected", "glue",
     Category.CODE_ERROR),
    # ... while a table Oracle does not have is the input
    ("java.sql.SQLSyntaxErrorException: ORA-00942: table or view does not exist", "glue", Category.MISSING_INPUT),
    # gocardless/airflow-dbt#33: a relative path the container's user may not write, no IAM policy
    ("[Errno 13] Permission denied: 'logs/dbt.log'", "ecs", Category.CONFIGURATION),
    # ... while an AWS refusal in the same words stays a refusal
    ("PermissionError: Access Denied when calling the GetObject operation", "ecs", Category.PERMISSION_DENIED),
    # fugue/credstash#58, pyca/cryptography#5845: a native module built on macOS, a wheel built against musl
    ("ImportError: /usr/local/lib/python3.9/site-packages/Crypto/Cipher/_AES.so: invalid ELF header", "batch",
     Category.CONFIGURATION),
    ("ImportError: libc.musl-x86_64.so.1: cannot open shared object file: No such file or directory", "ecs",
     Category.CONFIGURATION),
    # ... while a system library the image lacks stays what the import rules make of it
    ("ImportError: libGL.so.1: cannot open shared object file: No such file or directory", "ecs",
     Category.CODE_ERROR),
    # aws-actions/amazon-ecs-render-task-definition#296: an environment assignment run as the program's script
    ("Error: Cannot find module '/usr/src/app/NODE_ENV=dev'", "ecs", Category.CONFIGURATION),
    # ... while a module the image lacks stays the code's
    ("Error: Cannot find module '/usr/src/app/dist/index.js'", "ecs", Category.CODE_ERROR),
    # CCSI-Toolset/FOQUS#687: an update expression the code built that does not add up
    ("ValidationException: Value provided in ExpressionAttributeNames unused in expressions: keys: {#c}", "lambda",
     Category.CODE_ERROR),
    ("ValidationException: Invalid UpdateExpression: Syntax error; token: \"=\", near: \"SET =\"", "ecs",
     Category.CODE_ERROR),
    # apache/hugegraph-toolchain#467, datacleaner/DataCleaner#1204: what the code hands Spark cannot be serialized
    ("Failed to start loading, cause: org.apache.spark.SparkException: Task not serializable", "emr",
     Category.CODE_ERROR),
    ("User class threw exception: org.apache.commons.lang.SerializationException: java.io.NotSerializableException: "
     "org.apache.hadoop.yarn.conf.YarnConfiguration", "emr", Category.CODE_ERROR),
    # deek87/lamba-thumbnailer#1: a binary without its execute bit, no IAM refusal
    ("Error: spawn EACCES", "lambda", Category.CONFIGURATION),
    # aws/efs-utils#32: a program that asks for a setting it could not work out
    ('VolumeDriver.Create: mounting volume failed: Error retrieving region. Please set the "region" parameter in the '
     'efs-utils configuration file.', "ecs", Category.CONFIGURATION),
    # networknt/light-codegen#358: a MySQL driver older than MySQL 8's default authentication
    ("An error occurred while calling o82.getDynamicFrame. Unable to load authentication plugin "
     "'caching_sha2_password'.", "glue", Category.CONFIGURATION),
    # jenkinsci/amazon-ecs-plugin#218: a Fargate platform version that does not exist is the request's, no missing input
    ("ECS.PlatformUnknownException: The specified platform does not exist. (Service: AmazonECS; Status Code: 400; "
     "Error Code: PlatformUnknownException; Request ID: 85e28d0a; Proxy: null)", "stepfunctions",
     Category.CONFIGURATION),
    # whisper-money/whisper-money#451: PHP's refused write of a log file a root process created: its file mode
    ('PHP Fatal error:  Uncaught UnexpectedValueException: The stream or file "/app/storage/logs/laravel.log" could '
     'not be opened in append mode: Failed to open stream: Permission denied', "ecs", Category.CONFIGURATION),
    # dbt-labs/dbt-utils#992: a refused login under a connect wrapper is the credentials, as the catalog reads them
    ("Failed to connect to DB: acme-xy12345.snowflakecomputing.com:443. Incorrect username or password was "
     "specified", "batch", Category.PERMISSION_DENIED),
    # ... while the same wrapper around a refused connection stays the database out of reach
    ("Failed to connect to DB: acme-xy12345.snowflakecomputing.com:443. Connection refused", "batch",
     Category.DEPENDENCY_UNAVAILABLE),
    # aws-samples/aws-genomics-workflows#202, strimzi/strimzi-lab#1: musl's loader missing a library a glibc build
    # needs (an Alpine image, a host's /usr mounted over the image's): built for another system, no input missing.
    ("Error loading shared library libncursesw.so.5: No such file or directory", "batch", Category.CONFIGURATION),
    ("java.lang.UnsatisfiedLinkError: /tmp/librocksdbjni783529562499980046.so: Error loading shared library "
     "libstdc++.so.6: No such file or directory (needed by /tmp/librocksdbjni783529562499980046.so)", "ecs",
     Category.CONFIGURATION),
    # ... glibc's own words for a library the image lacks stay its build.
    ("python: error while loading shared libraries: libpython3.8.so.1.0: cannot open shared object file: No such file "
     "or directory", "batch", Category.CODE_ERROR),
    # fasten-project/fasten#256: a Kafka record over the size the producer and brokers are set to take.
    ("org.apache.kafka.common.errors.RecordTooLargeException: The message is 75017198 bytes when serialized which is "
     "larger than the maximum request size you have configured with the max.request.size configuration.", "batch",
     Category.CONFIGURATION),
    # LinkedInAttic/camus#227: a library built for Hadoop 1 on a Hadoop 2 cluster, in the JVM's own words.
    ("FATAL [main] org.apache.hadoop.mapred.YarnChild: Error running child : java.lang.IncompatibleClassChangeError: "
     "Found interface org.apache.hadoop.mapreduce.TaskAttemptContext, but class was expected", "emr",
     Category.CONFIGURATION),
    # fingltd/4mc#50: Hadoop's Configuration given a class not of the kind its setting takes.
    ('Exception in thread "main" java.lang.RuntimeException: class com.hadoop.mapreduce.FourMcTextInputFormat not '
     "org.apache.hadoop.mapred.InputFormat", "emr", Category.CONFIGURATION),
    # awslabs/aws-c-s3#317: a proxy address from the environment that the HTTP client cannot read: no bad record.
    ("[ERROR] [2023-07-05T18:11:02Z] [00007fdbc6242700] [http-connection] - Could not parse found proxy URI.", "ecs",
     Category.CONFIGURATION),
    # ... a record the job could not parse stays the data's.
    ("ERROR Could not parse record 1042 of s3://acme/in/trades.csv: unexpected end of line", "ecs", Category.BAD_DATA),
    # Xpra-org/xpra#2307: a private key in a format the SSH library cannot read (an OpenSSH-format key, old paramiko).
    ("paramiko.ssh_exception.SSHException: not a valid RSA private key file", "batch", Category.CONFIGURATION),
    ('Load key "/root/.ssh/id_rsa": invalid format', "ecs", Category.CONFIGURATION),
    # awslabs/mountpoint-s3#524: Mountpoint refusing a write its file system does not do (a seek back into the file).
    ("2023-09-22T22:39:21.398117Z WARN write{req=50 ino=2 fh=1 offset=36 length=4}: mountpoint_s3::fuse: write "
     "failed: upload error: out of order write; expected offset 3461864 but got 36", "batch", Category.CONFIGURATION),
    # civitaspo/digdag-operator-ecs_task#74, broadinstitute/cromwell#4334: an SDK that found no credentials it can use,
    # an AWS endpoint built from a region that is no region: the setup, as botocore's NoCredentialsError is read.
    ("com.amazonaws.SdkClientException: Unable to load credentials from profile [roleA]: Source profile name is not "
     "specified", "ecs", Category.CONFIGURATION),
    ("software.amazon.awssdk.core.exception.SdkClientException: Unable to execute HTTP request: "
     "batch.default.amazonaws.com: Name or service not known | Caused by: java.net.UnknownHostException: "
     "batch.default.amazonaws.com: Name or service not known", "ecs", Category.CONFIGURATION),
    # ... a real region's endpoint that does not resolve stays the network's.
    ("Caused by: java.net.UnknownHostException: batch.us-east-2.amazonaws.com: Name or service not known", "ecs",
     Category.DEPENDENCY_UNAVAILABLE),
    # aws/aws-codebuild-docker-images#574: a Docker client whose daemon's local socket is not there (a build
    # without privileged mode): the environment's setup, not a service down.
    ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
     "stepfunctions", Category.CONFIGURATION),
    # ... a daemon on another host, out of reach, stays a dependency.
    ("Cannot connect to the Docker daemon at tcp://10.0.0.5:2375. Is the docker daemon running?", "ecs",
     Category.DEPENDENCY_UNAVAILABLE),
    # aws/aws-cdk#1813: an image its registry does not have, pulled by a CodeBuild project under Step Functions.
    ("Unable to pull customer's container image. CannotPullContainerError: API error (404): manifest for "
     "123456789012.dkr.ecr.us-east-1.amazonaws.com/new-c-myecr-bg1z25mqh9s3:latest not found", "stepfunctions",
     Category.CONFIGURATION),
    # astronomer/docs#1695: SageMaker refused its own AssumeRole by the role's trust policy.
    ("ClientError: TrainingHostAgent Initialization failed:InvalidInputException: SageMaker is unable to perform: "
     "sts:AssumeRole on the role. Check if you have a trust relationship for 'sagemaker.amazonaws.com' to assume the "
     "role.", "stepfunctions", Category.PERMISSION_DENIED),
    # dbt-labs/dbt-bigquery#971: a client's retries ran out on the service's 500s; its advice is no retry note
    ("Deadline of 600.0s exceeded while calling target function, last exception: 500 Error encountered during "
     "execution. Retrying may solve the problem.", "ecs", Category.DEPENDENCY_UNAVAILABLE),
    # googleapis/doc-pipeline#212: protobuf 4 under generated code of an older protoc (an unpinned rebuild).
    ("TypeError: Descriptors cannot not be created directly.\nIf this call came from a _pb2.py file, your generated "
     "code is out of date and must be regenerated with protoc >= 3.19.0.", "batch", Category.CONFIGURATION),
    # openai/openai-node#304: a library that needs Node 18's fetch on a nodejs16.x function ...
    ("ReferenceError: fetch is not defined", "lambda", Category.CONFIGURATION),
    # ... any other name the code uses without defining it stays the code's, as other TypeErrors do.
    ("ReferenceError: fetchOrders is not defined", "lambda", Category.CODE_ERROR),
    ("TypeError: 'NoneType' object is not subscriptable", "batch", Category.CODE_ERROR),
    # NVIDIA/nccl#342: NCCL's shared memory segment on Docker's 64 MiB /dev/shm, not a disk ...
    ("ip-10-0-12-34:84:121 [3] include/shm.h:28 NCCL WARN Call to posix_fallocate failed: No space left on device\n"
     "ip-10-0-12-34:84:121 [3] NCCL WARN Error while creating shared memory segment nccl-shm-recv-9f2c (size 9637888)",
     "batch", Category.CONFIGURATION),
    # ... a disk that filled stays the disk.
    ("OSError: [Errno 28] No space left on device: '/scratch/out/part-0001.parquet'", "batch", Category.DISK_FULL),
    # irmen/Pyrolite#52: a Python UDF returning NumPy values Spark's unpickler cannot build; Spark's note that it
    # shortened a plan's text (a WARN before it) says nothing about the data.
    ("WARN Utils: Truncated the string representation of a plan since it was too large. This behavior can be adjusted "
     "by setting 'spark.debug.maxToStringFields' in SparkEnv.conf.\nnet.razorvine.pickle.PickleException: expected "
     "zero arguments for construction of ClassDict (for numpy.dtype)", "glue", Category.CODE_ERROR),
    ("java.io.EOFException: Unexpected end of input stream: the file was truncated", "glue", Category.BAD_DATA),
    # GoogleCloudPlatform/DataflowTemplates#237: Connector/J 8 and a server time zone it cannot map.
    ("com.mysql.cj.exceptions.InvalidConnectionAttributeException: The server time zone value 'KST' is unrecognized "
     "or represents more than one time zone. You must configure either the server or JDBC driver (via the "
     "serverTimezone configuration property)", "glue", Category.CONFIGURATION),
    # ranaroussi/yfinance#2349: a wall-clock time inside a daylight-saving gap, localized by the code.
    ("pytz.exceptions.NonExistentTimeError: 2025-03-09 02:18:15", "glue", Category.CODE_ERROR),
    # nodejs/node#39671: the runtime's own C++ assertion (exit 134).
    ("node[1]: ../src/node_http_parser.cc:567:static void node::{anonymous}::Parser::Initialize(): Assertion "
     "`parser->current_buffer_.IsEmpty()' failed.", "ecs", Category.CODE_ERROR),
    # stackoverflow.com/questions/45596276: a .sync Batch job terminated with the execution that ran it.
    ("The Task state in AWS Step Functions execution [arn:aws:states:us-west-2:123456789012:execution:wgs:run-1] which "
     "was managing this resource was aborted", "batch", Category.MANUAL_STOP),
    # marian-nmt/marian-dev#787: a binary built with -march=native on another CPU, however it dumps core ...
    ("/opt/marian/run.sh: line 12:    41 Illegal instruction     (core dumped) marian-decoder -c decoder.yml", "batch",
     Category.CONFIGURATION),
    # ... a crash of the code's own stays the code's.
    ("/opt/app/run.sh: line 12:    41 Segmentation fault      (core dumped) ./convert", "batch", Category.CODE_ERROR),
    # IBM/db2forzosdeveloperextension-about#244: Db2's package for the statement not bound on the server.
    ("com.ibm.db2.jcc.am.SqlException: DB2 SQL Error: SQLCODE=-805, SQLSTATE=51002, SQLERRMC=DSNP1LOC.NULLID.SYSLH203",
     "glue", Category.CONFIGURATION),
    # databricks/spark-corenlp#37: bytecode built on protobuf 3 verified against the cluster's protobuf 2.5.
    ("Caused by: java.lang.VerifyError: Bad type on operand stack", "emr", Category.CONFIGURATION),
    # mrirecon/bart#296 and open-mpi/ompi#6020: more threads or ranks than the host or the build allows, said before
    # the crash or exit they cause.
    ("BLAS : Program is Terminated. Because you tried to allocate too many memory regions.\nSegmentation Fault.\n"
     "subprocess.CalledProcessError: Command '['bart', 'ecalib']' died with <Signals.SIGSEGV: 11>.", "batch",
     Category.CONFIGURATION),
    ("There are not enough slots available in the system to satisfy the 32 slots\nthat were requested by the "
     "application:", "batch", Category.CONFIGURATION),
    # zeplin/zeplin-html-to-pdf#41: a program found but not executable (an x86_64 binary on an arm64 function).
    ("Error: wkhtmltopdf process exited with code 126", "lambda", Category.CONFIGURATION),
    # apache/sedona#1321: Kryo cannot register what spark.kryo.registrator names (an unshaded jar).
    ("org.apache.spark.SparkException: Failed to register classes with Kryo", "emrserverless",
     Category.CONFIGURATION),
    # npgsql/efcore.pg#30: one connection shared by concurrent operations.
    ("System.InvalidOperationException: An operation is already in progress.", "ecs", Category.CODE_ERROR),
    # awslabs/aws-sdk-rust#764: a Rust program's panic is its unhandled exception ...
    ("thread 'main' panicked at 'services will always base64 encode the checksum value per the spec: "
     "DecodeError(\"Base64Error\")', src/http_body_checksum.rs:196:14", "ecs", Category.CODE_ERROR),
    # ... unless its message names a more specific cause.
    ("thread 'main' panicked at 'called `Result::unwrap()` on an `Err` value: Os { code: 2, kind: NotFound, message: "
     "\"No such file or directory\" }', src/main.rs:12:5", "ecs", Category.MISSING_INPUT),
    # A required property the job's settings lack, named by its dotted key, under the wrapper that needed it: the
    # job's properties; a bare "Table ... not found" stays missing input.
    ("Exception in thread \"main\" org.apache.hudi.utilities.exception.HoodieSchemaFetchException: Error reading "
     "source schema from registry :http://registry:8081/subjects/orders-value/versions/latest\n"
     "Caused by: org.apache.hudi.internal.schema.HoodieSchemaException: Failed to parse schema from registry: "
     "{\"type\":\"record\"}\n"
     "Caused by: java.lang.IllegalArgumentException: Property hoodie.streamer.schemaprovider.registry.schemaconverter "
     "not found", "emr", Category.CONFIGURATION),
    ("java.lang.IllegalArgumentException: Property hoodie.deltastreamer.schemaprovider.registry.baseUrl not found",
     "emr", Category.CONFIGURATION),
    ("org.apache.spark.sql.AnalysisException: Table or view not found: sales.orders_stage", "emr",
     Category.MISSING_INPUT),
    # A Java thread pool refusing work is the program's own pool, not a service's capacity.
    ("java.util.concurrent.RejectedExecutionException: Task java.util.concurrent.FutureTask@5e9f23b4 rejected from "
     "java.util.concurrent.ThreadPoolExecutor@4c98385c[Running, pool size = 2, active threads = 2, queued tasks = 2, "
     "completed tasks = 14]", "athena", Category.CODE_ERROR),
    # A connection URL its driver cannot parse is the connection's setting, not malformed data ...
    ("com.mysql.cj.exceptions.WrongArgumentException: Malformed database URL, failed to parse the connection string "
     "near '${rds!cluster-6e2f9a14}'.", "athena", Category.CONFIGURATION),
    # ... while a record the work cannot parse stays the data's.
    ("com.fasterxml.jackson.core.JsonParseException: Failed to parse JSON record at line 42", "glue",
     Category.BAD_DATA),
    # A library built without a feature the work uses: how the image installed it.
    ("Error: NotImplemented: Got S3 URI but Arrow compiled without S3 support", "batch", Category.CONFIGURATION),
    ("AssertionError: Torch not compiled with CUDA enabled", "batch", Category.CONFIGURATION),
    # A URL handed to local file calls is the code's, not a refusal nor a missing input ...
    ("PermissionError: [Errno 13] Permission denied: 's3:'", "glue", Category.CODE_ERROR),
    ("FileNotFoundError: [Errno 2] No such file or directory: 's3://acme-raw/trips/2023-05.csv'", "batch",
     Category.CODE_ERROR),
    # ... while a local path keeps its readings.
    ("FileNotFoundError: [Errno 2] No such file or directory: '/data/in/trips.csv'", "batch", Category.MISSING_INPUT),
    # A command line the program does not take, a variable it asks for, an account feature not switched on, an
    # encrypted connection the client did not ask for, a host key it was not given, OpenSSL 3's refusals: the
    # work's setup.
    ('ERROR  Command "horizon" is not defined.', "ecs", Category.CONFIGURATION),
    ("usage: sync.py [-h] [--since SINCE]\nsync.py: error: unrecognized arguments: --date 2024-01-01", "ecs",
     Category.CONFIGURATION),
    ("rails aborted! Set SAFETY_ASSURED=1 to run this task in production", "ecs", Category.CONFIGURATION),
    ("twilio error 21408: Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
     "ecs", Category.CONFIGURATION),
    ('{"errorType":"Error","errorMessage":"This RDS Proxy requires TLS connections"}', "lambda",
     Category.CONFIGURATION),
    ("paramiko.ssh_exception.SSHException: No hostkey for host sftp.partner.example found.", "batch",
     Category.CONFIGURATION),
    ("Interop+Crypto+OpenSslCryptographicException: error:0A000152:SSL routines::unsafe legacy renegotiation "
     "disabled", "ecs", Category.CONFIGURATION),
    # ... and a name the code left undefined stays the code's.
    ("ReferenceError: horizonCommand is not defined", "lambda", Category.CODE_ERROR),
    # An environment variable a "set -u" script reads that nobody set: the environment it was given.
    ("/opt/extensions/sentry-lambda-extension: line 3: SENTRY_DSN: unbound variable", "lambda",
     Category.CONFIGURATION),
    # An encrypted input document where the work reads documents: the file's.
    ("Error: Input document to `PDFDocument.load` is encrypted. You can use `PDFDocument.load(..., { "
     "ignoreEncryption: true })` if you wish to load the document anyways.", "lambda", Category.BAD_DATA),
    # .NET assemblies of two versions: how the package was assembled, not a missing input.
    ("System.TypeLoadException: Could not load type 'Amazon.Lambda.Core.LambdaTraceProvider' from assembly "
     "'Amazon.Lambda.Core, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null'.", "lambda", Category.CONFIGURATION),
    ("System.MissingMethodException: Method not found: 'Void Amazon.S3.Model.PutObjectRequest.set_Key(System.String)'.",
     "ecs", Category.CONFIGURATION),
    ("System.IO.FileNotFoundException: Could not find file '/tmp/input/orders.csv'.", "ecs", Category.MISSING_INPUT),
    # An Object Lock bucket refusing a write without a checksum header: the writer's settings.
    ("software.amazon.awssdk.services.s3.model.S3Exception: Content-MD5 OR x-amz-checksum- HTTP header is required for "
     "Put Object requests with Object Lock parameters (Service: S3, Status Code: 400)", "emr", Category.CONFIGURATION),
    # Migrations run by every replica at once: how the deployment runs them.
    ("rails aborted! ActiveRecord::ConcurrentMigrationError: Cannot run migrations because another migration process "
     "is currently running.", "ecs", Category.CONFIGURATION),
    # A request the code built against DynamoDB's or the Data API's fixed rules is the code's, not a setting.
    ("botocore.exceptions.ClientError: An error occurred (ValidationException) when calling the TransactWriteItems "
     "operation: Transaction request cannot include multiple operations on one item", "lambda", Category.CODE_ERROR),
    ("ValidationException: 1 validation error detected: Value '{notifications=[WriteRequest@1, WriteRequest@2]}' at "
     "'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less "
     "than or equal to 25, Member must have length greater than or equal to 1]", "lambda", Category.CODE_ERROR),
    ("botocore.errorfactory.BadRequestException: An error occurred (BadRequestException) when calling the "
     "ExecuteStatement operation: Database returned more than the allowed response size limit", "ecs",
     Category.CODE_ERROR),
    # A library naming the other package's generation it needs, or the data it cannot read as too new for it; a JVM
    # flag the JVM does not know: how the packages or the launch were put together.
    ("ImportError: Pandas requires version '7.0.0' or newer of 'pyarrow' (version '6.0.1' currently installed).",
     "batch", Category.CONFIGURATION),
    ("pydantic.errors.PydanticImportError: `BaseSettings` has been moved to the `pydantic-settings` package. See "
     "https://docs.pydantic.dev/2.5/migration/#basesettings-has-moved-to-pydantic-settings for more details.", "ecs",
     Category.CONFIGURATION),
    ("io.delta.standalone.internal.exception.DeltaErrors$InvalidProtocolVersionException: Delta protocol version (3,7) "
     "is too new for this version of Delta Standalone Reader/Writer (1,2). Please upgrade to a newer release.", "glue",
     Category.CONFIGURATION),
    ("[06/29/2022-16:20:45] [TRT] [E] 1: [stdArchiveReader.cpp::StdArchiveReader::35] Error Code 1: Serialization "
     "(Serialization assertion safeVersionRead == safeSerializationVersion failed.Version tag does not match. Note: "
     "Current Version: 0, Serialized Engine Version: 43)", "ecs", Category.CONFIGURATION),
    ("Unrecognized VM option 'UseCGroupMemoryLimitForHeap'\nError: Could not create the Java Virtual Machine.", "ecs",
     Category.CONFIGURATION),
    # Spring Batch's tables in H2's words, as in PostgreSQL's: the schema never initialised, not an input.
    ('Caused by: org.h2.jdbc.JdbcSQLSyntaxErrorException: Table "BATCH_JOB_INSTANCE" not found (this database is '
     'empty); SQL statement:', "ecs", Category.CONFIGURATION),
    # Kafka's size limit in librdkafka's words, as RecordTooLargeException is.
    ('KafkaException: KafkaError{code=MSG_SIZE_TOO_LARGE,val=10,str="Unable to produce message: Broker: Message size '
     'too large"}', "lambda", Category.CONFIGURATION),
    # A request the code built past a protocol's or a format's fixed rules; the connection pgjdbc drops after is
    # no database out of reach.
    ("org.postgresql.util.PSQLException: An I/O error occurred while sending to the backend.\nCaused by: "
     "java.io.IOException: Tried to send an out-of-range integer as a 2-byte value: 70000", "ecs", Category.CODE_ERROR),
    ("java.lang.UnsupportedOperationException: CSV data source does not support array<bigint> data type.", "glue",
     Category.CODE_ERROR),
    # A frame whose columns are no longer the table's; a model file a server cannot find where it looks.
    ("pyspark.errors.exceptions.captured.AnalysisException: Cannot write to 'glue_catalog.lake.metadata', too many "
     "data columns:\nTable columns: 'table_name', 'info_date'\nData columns: 'table_name', 'info_date', 'updated'",
     "glue", Category.BAD_DATA),
    ("E1202 08:15:33.456811 1 model_repository_manager.cc:1215] failed to load 'intent_classifier' version 1: "
     "Internal: failed to stat file /tmp/foldert7APhn/1/model.onnx", "ecs", Category.MISSING_INPUT),
    # The connection's and the engine's settings: a time zone the database does not know (not an input "not
    # found"), a login plugin the client has off, Flink's network buffers and a savepoint for operators the job no
    # longer has, ImageMagick's policy refusing a format.
    ("java.sql.SQLException: ORA-00604: error occurred at recursive SQL level 1\nORA-01882: timezone region not found",
     "ecs", Category.CONFIGURATION),
    ('{"errorType":"Error","errorMessage":"Server requested authentication using mysql_clear_password, but the '
     'client has it disabled","code":"MYSQL_CLEAR_PASSWORD_NOT_ENABLED"}', "lambda", Category.CONFIGURATION),
    ("java.io.IOException: Insufficient number of network buffers: required 17, but only 14 available. The total "
     "number of network buffers is currently set to 2048 of 32768 bytes each.", "emr", Category.CONFIGURATION),
    ("java.lang.IllegalStateException: Failed to rollback to checkpoint/savepoint s3://acme-flink/savepoints/sp-1. "
     "Cannot map checkpoint/savepoint state for operator 2b3c to the new program, because the operator is not "
     "available in the new program.", "emr", Category.CONFIGURATION),
    ("convert: not authorized `/tmp/originals/f8473d71.pdf' @ error/constitute.c/ReadImage/412.", "lambda",
     Category.CONFIGURATION),
    # A model the provider retired or marked legacy: the model id the work is set up with, not its role's policy
    # (AccessDeniedException) nor a missing input (ResourceNotFoundException).
    ("botocore.errorfactory.AccessDeniedException: An error occurred (AccessDeniedException) when calling the "
     "InvokeModel operation: This Model is marked by provider as Legacy and you have not been actively using the "
     "model in the last 30 days. Please upgrade to an active model on Amazon Bedrock", "lambda",
     Category.CONFIGURATION),
    ("Bedrock.ResourceNotFoundException: This model version has reached the end of its life. Please refer to the AWS "
     "documentation for more details.", "stepfunctions", Category.CONFIGURATION),
    # mysqldump 8's column statistics asked of a 5.7 server: the dump's options, no table missing from the input.
    ("mysqldump: Couldn't execute 'SELECT COLUMN_NAME FROM information_schema.COLUMN_STATISTICS WHERE SCHEMA_NAME = "
     "'billing';': Unknown table 'COLUMN_STATISTICS' in information_schema (1109)", "ecs", Category.CONFIGURATION),
    # Scrapy's line that names the request but not why gives way to the reason under it (OpenSSL 3 refusing the
    # server's short DH key): the client's TLS settings, no dependency down.
    ("2024-08-02 05:00:32 [scrapy.core.scraper] ERROR: Error downloading <GET https://data.example.org>\n"
     "twisted.web._newclient.ResponseNeverReceived: [<twisted.python.failure.Failure OpenSSL.SSL.Error: [('SSL "
     "routines', '', 'dh key too small')]>]", "ecs", Category.CONFIGURATION),
    # The Java runtime's Jackson of before 2.9 ("Can not") refusing the event for the handler's declared type.
    ("An error occurred during JSON parsing: java.lang.RuntimeException\nCaused by: com.fasterxml.jackson.databind."
     "JsonMappingException: Can not deserialize instance of java.lang.String out of START_OBJECT token", "lambda",
     Category.CODE_ERROR),
    # A native package built for another system: a system library's symbol version, an ELF of other alignment.
    ("Unable to import module 'index': /lib64/libz.so.1: version `ZLIB_1.2.9' not found (required by "
     "Pillow.libs/libpng16-cb42a3c6.so.16.39.0)", "batch", Category.CONFIGURATION),
    ("ImportError: /var/task/PIL/_imaging.cpython-36m-x86_64-linux-gnu.so: ELF load command address/offset not "
     "properly aligned", "ecs", Category.CONFIGURATION),
    # A server that takes only TLS, in a client's connect error (a connect failure alone reads as the server).
    ("** (Postgrex.Error) FATAL 28000 (invalid_authorization_specification) This RDS Proxy requires TLS connections",
     "ecs", Category.CONFIGURATION),
    # Laravel's encrypter given an APP_KEY it cannot use.
    ("RuntimeException: No supported encrypter found. The cipher and / or key length are invalid. in /var/www/html/"
     "vendor/laravel/framework/src/Illuminate/Encryption/EncryptionServiceProvider.php:45", "ecs",
     Category.CONFIGURATION),
    ("Illuminate\\Encryption\\MissingAppKeyException: No application encryption key has been specified.", "ecs",
     Category.CONFIGURATION),
    # A Hive SerDe jar built against the interface Hive 2.3 removed: the jar's generation, not the job's code.
    (": org.apache.spark.SparkClassNotFoundException: The SerDe interface removed since Hive 2.3(HIVE-15167). Please "
     "migrate your custom SerDes to Hive 2.3. See HIVE-15167 for more details.", "emr", Category.CONFIGURATION),
    # A multipart upload with a part under S3's minimum: how the code cuts its parts.
    ("botocore.exceptions.ClientError: An error occurred (EntityTooSmall) when calling the CompleteMultipartUpload "
     "operation: Your proposed upload is smaller than the minimum allowed size", "lambda", Category.CODE_ERROR),
    # S3 refusing a request signed for another region: the region setting, no malformed data.
    ("Caused by: software.amazon.awssdk.services.s3.model.S3Exception: The authorization header is malformed; the "
     "region 'us-east-2' is wrong; expecting 'us-west-2' (Service: S3, Status Code: 400)", "batch",
     Category.CONFIGURATION),
    # A duration with its unit read as a number: Hadoop 3.4's defaults under an older hadoop-aws jar, no record.
    ('py4j.protocol.Py4JJavaError: An error occurred while calling o47.parquet.\n: java.lang.NumberFormatException: '
     'For input string: "60s"', "ecs", Category.CONFIGURATION),
    # The Web Crypto global a Node 18 function lacks, as fetch before Node 18.
    ("ReferenceError: crypto is not defined", "lambda", Category.CONFIGURATION),
    # A field the JVM names without its class: a library's, far more often than the job's own.
    ('Exception in thread "main" java.lang.NoSuchFieldError: sizeClass', "ecs", Category.CONFIGURATION),
    ("java.lang.NoSuchFieldError: Class com.acme.jobs.Totals does not have member field 'int count'", "ecs",
     Category.CODE_ERROR),
    # The image's own start: an init that could not exec the program, an exec-form ENTRYPOINT handed to the shell as
    # text, a script with CRLF line endings. No input is missing.
    ("[dumb-init] /run.sh: No such file or directory", "batch", Category.CODE_ERROR),
    ("[FATAL tini (7)] exec /docker-entrypoint.sh failed: No such file or directory", "ecs", Category.CODE_ERROR),
    ("/bin/sh: 1: [/usr/bin/tini,: not found", "ecs", Category.CODE_ERROR),
    ("/config/entrypoint.sh: set: line 2: illegal option -", "ecs", Category.CODE_ERROR),
    ("/entrypoint.sh: line 3: $'\\r': command not found", "ecs", Category.CODE_ERROR),
    # A database URL naming a dialect SQLAlchemy does not have, and PHP's SDK finding no credentials file.
    ("sqlalchemy.exc.NoSuchModuleError: Can't load plugin: sqlalchemy.dialects:postgres", "ecs",
     Category.CONFIGURATION),
    # An identity provider refusing the work's own login: an expired client secret, a rotated service-account key.
    ("ERROR: AADSTS7000222: The provided client secret keys for app '6f2b9c1e' are expired.", "ecs",
     Category.PERMISSION_DENIED),
    ("ERROR: (gcloud.auth.activate-service-account) There was a problem refreshing your current auth tokens: "
     "invalid_grant: Invalid JWT Signature.", "batch", Category.PERMISSION_DENIED),
    # Slack's Web API refusing a token without the scope; an HTTP API that removed the endpoint the code calls.
    ("Runtime.UnhandledPromiseRejection: Error: An API error occurred: missing_scope", "lambda",
     Category.PERMISSION_DENIED),
    ("JiraError HTTP 410 url: https://acme.atlassian.net/rest/api/2/search text: The requested API has been removed. "
     "Please migrate to the /rest/api/3/search/jql API.", "batch", Category.CODE_ERROR),
    # The kernel's limits in a full disk's words: inotify's watches, shared-memory segments. No disk is full.
    ("Error: ENOSPC: System limit for number of file watchers reached, watch '/build/app/src'", "batch",
     Category.CONFIGURATION),
    ("shmget (2): No space left on device", "ecs", Category.CONFIGURATION),
    # A library built for another Spark, its class named with slashes.
    ('Exception in thread "main" java.lang.AbstractMethodError: Method za/co/absa/abris/avro/sql/AvroDataToCatalyst.'
     "child()Lorg/apache/spark/sql/catalyst/trees/TreeNode; is abstract", "emr", Category.CONFIGURATION),
    # ImageMagick's resource policy, no capacity of the host; the Go SDK's modules of two generations.
    ("convert-im6.q16: cache resources exhausted `/workdir/map.gray.png' @ error/cache.c/OpenPixelCache/4095.",
     "batch", Category.CONFIGURATION),
    ("ERROR send message failed (target_id=post-19b03e) not found, ResolveEndpointV2", "ecs", Category.CONFIGURATION),
    # What the code holds in one value or sends unchecked: spawnSync's buffer, V8's longest string, botocore's own
    # check of a request before it is sent.
    ("Error: spawnSync curl ENOBUFS", "batch", Category.CODE_ERROR),
    ("ERR! export RangeError: Invalid string length", "ecs", Category.CODE_ERROR),
    ("botocore.exceptions.ParamValidationError: Parameter validation failed:\nInvalid length for parameter Value, "
     "value: 0, valid range: 1-inf", "lambda", Category.CODE_ERROR),
    ("PHP Fatal error:  Uncaught Aws\\Exception\\CredentialsException: Cannot read credentials from /.aws/credentials "
     "in /app/vendor/aws/aws-sdk-php/src/Credentials/CredentialProvider.php:394", "ecs", Category.CONFIGURATION),
    # A GPU library, driver or device of another generation than the framework's build; a file saved by a newer
    # reader (serde's untagged enum in a tokenizer.json).
    ("2019-08-15 03:12:39.814460: E tensorflow/stream_executor/cuda/cuda_dnn.cc:319] Loaded runtime CuDNN library: "
     "7.4.1 but source was compiled with: 7.6.0.  CuDNN library major and minor version needs to match", "batch",
     Category.CONFIGURATION),
    ("ValueError: Your setup doesn't support bf16/gpu. You need torch>=1.10, using Ampere GPU with cuda>=11.0", "batch",
     Category.CONFIGURATION),
    ("Exception: data did not match any variant of untagged enum PyPreTokenizerTypeWrapper at line 1 column 317718",
     "ecs", Category.CONFIGURATION),
    # A client or tool of another generation than its server: kafka-python's version probe, Flyway's edition.
    ("kafka.errors.UnrecognizedBrokerVersion: UnrecognizedBrokerVersion", "batch", Category.CONFIGURATION),
    ("java.lang.IllegalStateException: Flyway migrate failed for dvndb\nCaused by: org.flywaydb.core.internal.license."
     "FlywayEditionUpgradeRequiredException: Flyway Teams Edition or PostgreSQL upgrade required: PostgreSQL 9.6 is no "
     "longer supported by Flyway Community Edition, but still supported by Flyway Teams Edition.", "ecs",
     Category.CONFIGURATION),
    # A driver's own null dereference in its pool's wrapper; SQLGlot's generator without a rule for a node.
    ('Exception in thread "main" com.zaxxer.hikari.pool.HikariPool$PoolInitializationException: Failed to initialize '
     "pool: Something unusual has occurred to cause the driver to fail. Please report this exception:Cannot invoke "
     '"String.equalsIgnoreCase(String)" because "userSetServerless" is null', "ecs", Category.CODE_ERROR),
    ("Error: Unsupported expression type Model", "ecs", Category.CODE_ERROR),
    # A rate limit's own exception raised in a traceback is throttling, not a quota's "LimitExceeded".
    ("tap - CRITICAL API rate limit exceeded, please try after 1854 seconds.\n"
     "tap -     raise RateLimitExceeded(message) from None", "ecs", Category.THROTTLING),
    # A runtime upgraded past a package's import assertions; a tool without its native binary for this platform.
    ("Runtime.UserCodeSyntaxError: SyntaxError: Unexpected identifier 'assert'", "lambda", Category.CONFIGURATION),
    ("Error: Schema engine exited. Error: Could not find schema-engine binary. Searched in:", "lambda",
     Category.CONFIGURATION),
    # Kryo's registration list, which the job's own registrator keeps.
    ("Caused by: java.lang.IllegalArgumentException: Class is not registered: org.apache.spark.sql.types.StructType "
     "Note: To register this class use: kryo.register(org.apache.spark.sql.types.StructType.class);", "emr",
     Category.CODE_ERROR),
    # Settings the server or tool does not take: DocumentDB's retryable writes (a feature's name, no retried error),
    # a collector component its build lacks (the Extensions API's 403 after it is the start's failure), a handler a
    # wrapper cannot read, more MPI ranks than GROMACS divides the system into.
    ("MongoServerError: Retryable writes are not supported\n  code: 301,", "ecs", Category.CONFIGURATION),
    ("* error decoding 'exporters': unknown type: \"awsxray\" for id: \"awsxray\" (valid values: [logging otlp])\n"
     "unable to start, otelcol state is 3; request failed with status 403 Forbidden", "lambda", Category.CONFIGURATION),
    ("Error: Improperly formatted handler environment variable: ./functions/index.handler\n"
     "RequestId: 8e41d2b7 Error: Runtime exited with error: exit status 129 Runtime.ExitError", "lambda",
     Category.CONFIGURATION),
    ("Fatal error: There is no domain decomposition for 54 ranks that is compatible with the given box", "batch",
     Category.CONFIGURATION),
    # What the code sends past a service's fixed rules: OpenSearch's payload limit, SES's one header of a name (an
    # SDK error that says it is not retryable is no retried one).
    ('  {"Message":"Request size exceeded 10485760 bytes"}', "ecs", Category.CODE_ERROR),
    ("{ level: 'error', message: 'sendRawEmail() returned error.', error: { [InvalidParameterValue: Duplicate header "
     "'DKIM-Signature'.] code: 'InvalidParameterValue', statusCode: 400, retryable: false }", "lambda",
     Category.CODE_ERROR),
    # ... nor one whose value a cut line lost ("retryable:…").
    ("{ level: 'error', message: 'sendRawEmail() returned error.', error: { [InvalidParameterValue: Duplicate header "
     "'DKIM-Signature'.] code: 'InvalidParameterValue', statusCode: 400, retryable:…", "lambda", Category.CODE_ERROR),
    # Kinesis's 1 MiB record and DynamoDB's batch of 25, in the SDK for Java's words: the request the code built.
    ("com.amazonaws.services.kinesis.model.AmazonKinesisException: 1 validation error detected: Value 'java.nio."
     "HeapByteBuffer[pos=0 lim=1048954 cap=1048954]' at 'data' failed to satisfy constraint: Member must have length "
     "less than or equal to 1048576 (Service: AmazonKinesis; Status Code: 400)", "lambda", Category.CODE_ERROR),
    ("software.amazon.awssdk.services.dynamodb.model.DynamoDbException: [Member must have length less than or equal "
     "to 25, Member must have length greater than or equal to 1] (Service: DynamoDb, Status Code: 400)", "ecs",
     Category.CODE_ERROR),
    # tiktoken older than the model asked for: the package's generation, not the code's KeyError.
    ("KeyError: 'Could not automatically map gpt-4 to a tokeniser. Please use `tiktok.get_encoding` to explicitly "
     "get the tokeniser you expect.'", "lambda", Category.CONFIGURATION),
    # A model pickled by another version of its library.
    ("/usr/local/lib/python3.12/site-packages/sklearn/base.py:380: InconsistentVersionWarning: Trying to unpickle "
     "estimator StandardScaler from version 1.8.0 when using version 1.9.0. This might lead to breaking code or "
     "invalid results. Use at your own risk.\nTraceback (most recent call last):\n"
     "ModuleNotFoundError: No module named '_loss'", "ecs", Category.CONFIGURATION),
    # ... and without the warning, a module missing to pickle's find_class (joblib/joblib#1233): the object's, not
    # the code's import.
    ("Traceback (most recent call last):\n  File \"/var/lang/lib/python3.7/pickle.py\", line 1426, in find_class\n"
     "    __import__(module, level=0)\nModuleNotFoundError: No module named 'sklearn.linear_model.logistic'", "lambda",
     Category.CONFIGURATION),
    # The Java module system refusing a library's reflective access on a newer Java (the JVM's --add-opens), over
    # the ExceptionInInitializerError it surfaces as; and in Spark's own words.
    ('Exception in thread "main" java.lang.ExceptionInInitializerError\n\tat org.apache.arrow.memory.ArrowBuf.setZero'
     '(ArrowBuf.java:1175)\nCaused by: java.lang.RuntimeException: Failed to initialize MemoryUtil.\n'
     'Caused by: java.lang.reflect.InaccessibleObjectException: Unable to make field long java.nio.Buffer.address '
     'accessible: module java.base does not "opens java.nio" to unnamed module @6d4a65c6', "batch",
     Category.CONFIGURATION),
    ("Caused by: java.lang.IllegalAccessError: class org.apache.spark.storage.StorageUtils$ (in unnamed module "
     "@0x5b2c883c) cannot access class sun.nio.ch.DirectBuffer (in module java.base) because module java.base does "
     "not export sun.nio.ch to unnamed module @0x5b2c883c", "emr", Category.CONFIGURATION),
    # A time zone the image or the session cannot resolve: the setting, not the code or the database out of reach.
    ("zoneinfo._common.ZoneInfoNotFoundError: 'tzlocal() does not support non-zoneinfo timezones like "
     "America/Toronto. \nPlease use a timezone in the form of Continent/City'", "ecs", Category.CONFIGURATION),
    ('HikariPool-1 - Exception during pool initialization.\norg.postgresql.util.PSQLException: FATAL: invalid value '
     'for parameter "TimeZone": "Asia/Calcutta"\nCaused by: org.hibernate.service.spi.ServiceException: Unable to '
     "create requested service [org.hibernate.engine.jdbc.env.spi.JdbcEnvironment] due to: Unable to determine "
     "Dialect without JDBC metadata", "batch", Category.CONFIGURATION),
    # Text encoded into the narrow codec a connection was set to is the setting; bytes that do not decode stay data.
    ("UnicodeEncodeError: 'latin-1' codec can't encode character '\\u015e' in position 187: ordinal not in "
     "range(256)", "glue", Category.CONFIGURATION),
    ("UnicodeDecodeError: 'utf-8' codec can't decode byte 0x80 in position 18: invalid start byte", "glue",
     Category.BAD_DATA),
    # A file that is not the document it is named as.
    ("pdfminer.pdfparser.PDFSyntaxError: No /Root object! - Is this really a PDF?", "ecs", Category.BAD_DATA),
    # A headless browser on the work's own host that died under it: no dependency out of reach.
    ("error: failed to generate PDF for sub-4507: Protocol error: Connection closed.", "batch",
     Category.CONFIGURATION),
    # Glue's partition keys: the job's setup against the table's.
    ("HoodieGlueSyncException: Fail to add partitions with error(s): [{PartitionValues: [2022, 08, 02],ErrorDetail: "
     "{ErrorCode: InvalidInputException,ErrorMessage: The number of partition keys do not match the number of "
     "partition values}}]", "emrserverless", Category.CONFIGURATION),
    # What the code builds against an API's fixed rules: a list past the batch call's count (also cut short in the
    # evidence), a Slack block past its length, SQL parameters the statement does not use.
    ("ValidationException: 1 validation error detected: Value '[PartitionValueList(values=[2023-06-24]), "
     "PartitionValueList(values=[2023-06-25])]' at 'partitionsToDelete' failed to satisfy constraint: Member must "
     "have length less than or equal to 25 (Service: AWSGlue; Status Code: 400; Error Code: ValidationException)",
     "emr", Category.CODE_ERROR),
    ("ValidationException: 1 validation error detected: Value '[PartitionValueList(values=[2023-06-24]), Partit…' at "
     "'partitionsToDelete' failed to satisfy constraint: Member must have length less than or equal to 25", "emr",
     Category.CODE_ERROR),
    ("SlackApiError: The request to the Slack API failed. (url: https://www.slack.com/api/chat.postMessage)\nThe "
     "server responded with: {'ok': False, 'error': 'invalid_blocks', 'errors': ['must be less than 3001 characters "
     "[json-pointer:/blocks/0/text/text]']}", "lambda", Category.CODE_ERROR),
    ("com.amazonaws.services.redshiftdataapi.model.ValidationException: Parameters list contains unused parameters. "
     "Unused parameters: [id] (Service: AWSRedshiftDataAPI; Status Code: 400; Error Code: ValidationException)",
     "lambda", Category.CODE_ERROR),
    # A server's or a runtime's own setup, before any input is read: no binary log on a replica, no decoding plugin,
    # no provider for a service a shaded jar registers, a log router refusing its configuration.
    ("org.apache.kafka.connect.errors.ConnectException: Cannot read the binlog filename and position via 'SHOW "
     "MASTER STATUS'. Make sure your server is correctly configured\nCaused by: java.lang.IllegalStateException: "
     "Cannot read the binlog filename and position via 'SHOW MASTER STATUS'. Make sure your server is correctly "
     "configured", "batch", Category.CONFIGURATION),
    ("org.apache.kafka.connect.errors.ConnectException: Cannot create replication connection\nCaused by: "
     'org.postgresql.util.PSQLException: ERROR: could not access file "decoderbufs": No such file or directory',
     "ecs", Category.CONFIGURATION),
    ("java.util.ServiceConfigurationError: software.amazon.awssdk.http.SdkHttpService: Provider "
     "software.amazon.awssdk.http.urlconnection.UrlConnectionSdkHttpService not found", "glue",
     Category.CONFIGURATION),
    ("Fluent Bit v1.3.9\nError: Configuration file contain errors. Aborting", "ecs", Category.CONFIGURATION),
    # A replication log the reader resumes from that the server no longer holds, even cut before its end.
    ("io.debezium.DebeziumException: The connector is trying to read binlog starting at SourceInfo "
     "[currentBinlogFilename=mysql-bin.003008, currentBinlogPosition=169375401], but this is no longer available on "
     "the server. Reconfigure the connector to use a snapshot when needed.", "emr", Category.MISSING_INPUT),
    ("io.debezium.DebeziumException: The connector is trying to read binlog starting at SourceInfo "
     "[currentGtid=null, currentBinlogFilename=mysql-bin.003008, currentBinlogPosition=169375401, currentRowNumber=0, "
     "serverId=0, sourceTime=null, threadId=-1…", "emr", Category.MISSING_INPUT),
    # S3's limits: the part count a chunk size reaches is the upload's setting; Object Lock's Content-MD5 is what
    # the code sends (Guzzle's "(truncated...)" is no bad data).
    ("ERROR: S3 error: Part number must be an integer between 1 and 10000, inclusive", "batch",
     Category.CONFIGURATION),
    ('PHP Fatal error:  Uncaught Aws\\S3\\Exception\\S3Exception: Error executing "PutObject"; AWS HTTP error: '
     "Client error: `PUT https://b.s3.amazonaws.com/k.pdf` resulted in a `400 Bad Request` response:\n"
     "<Error><Code>InvalidRequest</Code><Message>Content-MD5 HTTP header is required fo (truncated...)\n"
     "<Error><Code>InvalidRequest</Code><Message>Content-MD5 HTTP header is required for Put Object requests with "
     "Object Lock parameters</Message></Error>", "ecs", Category.CODE_ERROR),
    # A format the session's catalog cannot read: the catalog's setting. S3's redirect to the bucket's region, also
    # cut short in the evidence and under Arrow's note that it could not parse the error's name: the region setting.
    ("org.sparkproject.guava.util.concurrent.UncheckedExecutionException: org.apache.spark.sql.AnalysisException: "
     "iceberg is not a valid Spark SQL Data Source.;\nCaused by: org.apache.spark.sql.AnalysisException: iceberg is "
     "not a valid Spark SQL Data Source.;", "emr", Category.CONFIGURATION),
    ("OSError: When initiating multiple part upload for key 'raw/orders.parquet' in bucket 'acme-raw': AWS Error "
     "UNKNOWN (HTTP status 301) during CreateMultipartUpload operation: Unable to parse ExceptionName: "
     "PermanentRedirect Message: The bucket you are attempting to access must be addressed using the specified "
     "endpoin…", "ecs", Category.CONFIGURATION),
    # An image without the PHP extension the app uses; the Go SDK without a region; a model newer than its runtime
    # reads (the version past a long C++ signature); a streaming sink's checkpoint that no longer matches its output;
    # Oracle's serializable isolation under the launcher's wrapper: the setup.
    ("[2020-09-27 10:02:50] production.ERROR: Class 'Redis' not found {\"exception\":\"[object] (Error(code: 0): "
     "Class 'Redis' not found at /var/www/app/vendor/laravel/framework/src/Illuminate/Redis/Connectors/"
     "PhpRedisConnector.php:75)", "ecs", Category.CONFIGURATION),
    ("PHP Fatal error:  Uncaught Error: Call to undefined function curl_init() in /app/src/Client.php:41", "batch",
     Category.CONFIGURATION),
    ("2023/08/22 06:01:47 upload settlements_P0003.csv.gz: operation error S3: PutObject, failed to resolve service "
     "endpoint, an AWS region is required, but was not found", "ecs", Category.CONFIGURATION),
    ("onnxruntime.capi.onnxruntime_pybind11_state.Fail: [ONNXRuntimeError] : 1 : FAIL : Load model from model.onnx "
     "failed:/onnxruntime_src/onnxruntime/core/graph/model.cc:179 onnxruntime::Model::Model(onnx::ModelProto&&, const "
     "onnxruntime::PathString&, const onnxruntime::IOnnxRuntimeOpSchemaRegistryList*, const "
     "onnxruntime::logging::Logger&, const onnxruntime::ModelOptions&) Unsupported model IR version: 10, max supported "
     "IR version: 9", "batch", Category.CONFIGURATION),
    ("Caused by: java.lang.IllegalStateException: s3://lake/curated/orders_v2/_spark_metadata/0 doesn't exist when "
     "compacting batch 9 (compactInterval: 10)", "emr", Category.CONFIGURATION),
    ("java.lang.IllegalStateException: Failed to execute ApplicationRunner\nCaused by: "
     "org.springframework.jdbc.UncategorizedSQLException: PreparedStatementCallback; uncategorized SQLException\n"
     "Caused by: java.sql.SQLException: ORA-08177: can't serialize access for this transaction", "ecs",
     Category.CONFIGURATION),
    # An API's refusal of the way the code pages or queries, whatever its status code; Elixir's call to an
    # application the release never started; a file pickle cannot read: the code's.
    ("airbyte_cdk.sources.streams.http.exceptions.DefaultBackoffException: Request URL: "
     "https://acme.zendesk.com/api/v2/ticket_metrics?page=1001&per_page=100, Response Code: 429, Response Text: "
     "Pagination limit reached for offset model", "ecs", Category.CODE_ERROR),
    ("simple_salesforce.exceptions.SalesforceMalformedRequest: Malformed request https://acme.my.salesforce.com/"
     "services/data/v52.0/query/?q=SELECT+Id+FROM+RelationshipDomain. Response content: [{'message': 'Implementation "
     "restriction: RelationshipDomain requires a filter', 'errorCode': 'MALFORMED_QUERY'}]", "ecs",
     Category.CODE_ERROR),
    ("** (exit) exited in: GenServer.call(Ecto.Migration.Supervisor, {:start_child, []}, :infinity)\n    ** (EXIT) "
     "no process: the process is not alive or there's no process currently associated with the given name, "
     "possibly because its application isn't started", "ecs", Category.CODE_ERROR),
    ("_pickle.UnpicklingError: unpickling stack underflow", "ecs", Category.CODE_ERROR),
    # A message held past the queue's limit for the work on it; inserts faster than the database merges them.
    ("amqp.exceptions.PreconditionFailed: (0, 0): (406) PRECONDITION_FAILED - delivery acknowledgement on channel 1 "
     "timed out. Timeout value used: 1800000 ms. This timeout value can be configured, see consumers doc guide to "
     "learn more", "ecs", Category.TIMEOUT),
    ("botocore.exceptions.ClientError: An error occurred (InvalidParameterValue) when calling the DeleteMessage "
     "operation: Value AQEBz3Jm for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.",
     "batch", Category.TIMEOUT),
    ("clickhouse_connect.driver.exceptions.DatabaseError: HTTPDriver returned response code 500) Code: 252. "
     "DB::Exception: Too many parts (300). Merges are processing significantly slower than inserts. (TOO_MANY_PARTS)",
     "lambda", Category.THROTTLING),
    # What the client sends that the service does not implement: the code's (no missing input behind the 404).
    ("Exception: Request HTTP Error  HTTP 404  Not Found (b'<UnknownOperationException/>\\n')", "ecs",
     Category.CODE_ERROR),
    ("ERROR export failed NotImplemented: A header you provided implies functionality that is not implemented", "ecs",
     Category.CODE_ERROR),
    # The host's limits, a TLS version the image turned off, a range or name the settings give: configuration.
    ("Unhandled Exception: System.IO.IOException: The configured user limit (128) on the number of inotify "
     "instances has been reached.", "ecs", Category.CONFIGURATION),
    ("---> System.Security.Authentication.AuthenticationException: Authentication failed, see inner exception. ---> "
     "Interop+OpenSsl+SslException: SSL Handshake failed with OpenSSL error - SSL_ERROR_SSL. ---> "
     "Interop+Crypto+OpenSslCryptographicException: error:1425F102:SSL routines:ssl_choose_client_version:unsupported "
     "protocol", "batch", Category.CONFIGURATION),
    ("2025-03-10 09:40:02,984 | Sheets API error: Unable to parse range: Novice!C3:C14", "ecs", Category.CONFIGURATION),
    ("InvalidInputException: 1 validation error detected: Value 'x Job-security-config' at "
     "'logProperties.stdOutLogGroupName' failed to satisfy constraint: Member must satisfy regular expression "
     "pattern: [\\.\\-_/#A-Za-z0-9]+", "stepfunctions", Category.CONFIGURATION),
    ("nats: Maximum Payload Violation on connection [12]", "ecs", Category.CONFIGURATION),
    # A JVM that cannot map the heap it is told to take; a codec the runtime's libhadoop was built without; a reader
    # without the package for the file's codec.
    ("There is insufficient memory for the Java Runtime Environment to continue.\nNative memory allocation (mmap) "
     "failed to map 17179869184 bytes for committing reserved memory.", "ecs", Category.OUT_OF_MEMORY),
    ("Caused by: java.lang.RuntimeException: native zStandard library not available: this version of libhadoop was "
     "built without zstd support.", "batch", Category.CONFIGURATION),
    ("ValueError: Unrecognized codec: u'snappy'", "lambda", Category.CODE_ERROR),
    # A Parquet file without its footer.
    ("duckdb.duckdb.InvalidInputException: Invalid Input Error: No magic bytes found at end of file "
     "'s3://bucket/date=2024-11-25/data_0.parquet'", "batch", Category.BAD_DATA),
    # Spark's upgrade exception explains the parse failure chained under it: the parser's setting, not bad data.
    ("org.apache.spark.SparkUpgradeException: You may get a different result due to the upgrading of Spark 3.0: Fail "
     "to parse '3/10/14:1:01' in the new parser. You can set spark.sql.legacy.timeParserPolicy to LEGACY to restore "
     "the behavior before Spark 3.0.\nCaused by: java.time.format.DateTimeParseException: Text '3/10/14:1:01' could "
     "not be parsed at index 0", "emr", Category.CONFIGURATION),
    # Twisted's reactor started twice in one process (scrapy/scrapy#5026), the ECS agent's credentials endpoint
    # refusing a task's role credentials (aws/amazon-ecs-agent#1780), botocore's paginator given one token twice
    # (aws/aws-cli#1485), Redshift COPY options that exclude each other (awslabs/aws-lambda-redshift-loader#51) and
    # botocore's own check of a request (boto/botocore#1862: a model older than the parameter).
    ("twisted.internet.error.ReactorNotRestartable", "ecs", Category.CODE_ERROR),
    ("botocore.exceptions.CredentialRetrievalError: Error when retrieving credentials from container-role: Error "
     'retrieving metadata: Received non 200 response (400) from ECS metadata: { "code": "InvalidIdInRequest", '
     '"message": "CredentialsV2Request: Credentials not found", "HTTPErrorCode": 400 }', "batch",
     Category.DEPENDENCY_UNAVAILABLE),
    ("Error during pagination: The same next token was received twice: [u'f/3213889325396116243295856432684566']",
     "ecs", Category.CODE_ERROR),
    ("{ [error: CSV is not compatible with ESCAPE] name: 'error', length: 118, severity: 'ERROR', code: '0A000' }",
     "lambda", Category.CONFIGURATION),
    ('{"errorMessage": "Parameter validation failed:\\nUnknown parameter in JobUpdate: \\"GlueVersion\\", must be '
     'one of: Description, LogUri, Role", "errorType": "ParamValidationError"}', "stepfunctions", Category.CODE_ERROR),
    # EC2's vCPU quota in its own words (scrapoxy/scrapoxy#202), CloudWatch Logs' export refused by the bucket
    # (DistributedScience/Distributed-CellProfiler#144), and time-series stores refusing points
    # (GilbN/geoip2influx#23, dpattmann/prometheus-timestream-adapter#87).
    ("You have requested more vCPU capacity than your current vCPU limit of 32 allows for the instance bucket that "
     "the specified instance type belongs to.", "emr", Category.CAPACITY),
    ("InvalidParameterException: An error occurred (InvalidParameterException) when calling the CreateExportTask "
     "operation: GetBucketAcl call on the given bucket failed. Please check if CloudWatch Logs has been granted "
     "permission to perform this operation.", "ecs", Category.PERMISSION_DENIED),
    ('influxdb_client.rest.ApiException: (422) Reason: Unprocessable Entity HTTP response body: {"code":"unprocessable '
     'entity","message":"failure writing points to database: partial write: field type conflict: input field '
     '\\"connect_time\\" on measurement \\"geoip2influx\\" is type string, already exists as type float"}', "ecs",
     Category.BAD_DATA),
    ('RejectedRecordsException: One or more records have been rejected. Reason: "A record already exists with the same '
     'time, dimensions, measure name, and record version. A higher record version must be specified in order to update '
     'the measure value."', "lambda", Category.BAD_DATA),
    # asyncio objects used across event loops (aio-libs/aiobotocore#440), asyncpg through pgbouncer in transaction
    # mode (bcgov/wps#3539), musl's loader missing a symbol (SAP-archive/PyRFC#170), PostgreSQL's lock table full
    # (liweiyi88/onedump#50) and PySpark 2.4 under Python 3.8 (hail-is/hail#10197).
    ("RuntimeError: Task <Task pending name='Task-7' coro=<run_batch()>> got Future <Future pending> attached to a "
     "different loop", "lambda", Category.CODE_ERROR),
    ("RuntimeError: Timeout context manager should be used inside a task", "ecs", Category.CODE_ERROR),
    ("asyncpg.exceptions.DuplicatePreparedStatementError: prepared statement \"__asyncpg_stmt2_\" already exists",
     "ecs", Category.CONFIGURATION),
    ("ImportError: Error relocating /usr/local/sap/nwrfcsdk/lib/libsapnwrfc.so: __strdup: symbol not found", "ecs",
     Category.CONFIGURATION),
    ("dump file command error: exit status 1, pg_dump: error: query failed: ERROR:  out of shared memory", "ecs",
     Category.CONFIGURATION),
    ('  File "/opt/spark/python/lib/pyspark.zip/pyspark/cloudpickle.py", line 145, in _make_cell_set_template_code | '
     "TypeError: an integer is required (got type bytes)", "batch", Category.CONFIGURATION),
    # S3's and SQS's limits on one request the code made in one piece (rclone/rclone#2375, fsspec/s3fs#321,
    # smaskalik/sqsmover#13), an ACL sent to a bucket that disabled them (fsspec/s3fs#779), a GPU's memory that failed
    # (vllm-project/vllm#5222), and Hudi's writer set up against its table (apache/hudi#1777, apache/hudi#11687).
    ("ERROR : Failed to copy: InvalidRequest: The specified copy source is larger than the maximum allowable size for "
     "a copy source: 5368709120", "ecs", Category.CODE_ERROR),
    ("Write failed: ClientError('An error occurred (InvalidArgument) when calling the UploadPartCopy operation: Range "
     "specified is not valid for source object of size: 6403334120')", "glue", Category.CODE_ERROR),
    ("botocore.errorfactory.BatchRequestTooLong: An error occurred (AWS.SimpleQueueService.BatchRequestTooLong) when "
     "calling the SendMessageBatch operation: Batch requests cannot be longer than 262144 bytes. You have sent 866955 "
     "bytes.", "ecs", Category.CODE_ERROR),
    ("OSError: [Errno 5] An error occurred (AccessControlListNotSupported) when calling the PutObject operation: The "
     "bucket does not allow ACLs", "ecs", Category.CODE_ERROR),
    ("RuntimeError: CUDA error: uncorrectable ECC error encountered", "batch", Category.CAPACITY),
    ("org.apache.hudi.exception.HoodieException: ts(Part -ts) field not found in record. Acceptable fields were :["
     "date, store, item, sales]", "glue", Category.CONFIGURATION),
    ("org.apache.hudi.exception.HoodieException: Config conflict(key\tcurrent value\texisting value):\nPreCombineKey:"
     "\t\tts", "batch", Category.CONFIGURATION),
    # HDFS's NameNode in safe mode for want of its own disk (trinodb/trino#3327), a native Node module built for
    # another Node (aws/aws-cdk#16595), and an error reporter's own rate limit (getsentry/sentry-javascript#4582).
    ("MetaException(message:Got exception: org.apache.hadoop.ipc.RemoteException Cannot create directory /user/hive/"
     "warehouse/t. Name node is in safe mode. | Resources are low on NN. Please add or free up more resources then "
     "turn off safe mode manually.", "emr", Category.DISK_FULL),
    ("Error: The module '/var/task/node_modules/netcdf4/build/Release/netcdf4.node' was compiled against a different "
     "Node.js version using NODE_MODULE_VERSION 83. This version of Node.js requires NODE_MODULE_VERSION 72.",
     "lambda", Category.CONFIGURATION),
    ('ERROR Invoke Error { "errorType": "SentryError", "errorMessage": "HTTP Error (429)", "name": "SentryError" }',
     "stepfunctions", Category.THROTTLING),
    # GDAL's free-space check before a write (pulibrary/figgy#7142) and a migration's DISABLE TRIGGER ALL that only
    # a superuser may run (metabase/metabase#46902).
    ("RuntimeError: Unable to execute command \"gdalwarp -q -t_srs EPSG:3857 in.tif out.tif\". Exit code: pid 1557966 "
     "exit 1 | Error message: ERROR 3: out.tif: Free disk space available is 6349627392 bytes, whereas 50606296192 are "
     "at least necessary.", "ecs", Category.DISK_FULL),
    ('liquibase.exception.DatabaseException: ERROR: permission denied: "RI_ConstraintTrigger_c_83876" is a system '
     "trigger [Failed SQL: (0) ALTER TABLE data_permissions DISABLE TRIGGER ALL]", "ecs", Category.CODE_ERROR),
    # Data a library loads apart from its package, a notebook's kernel, an environment the image lacks.
    ("LookupError: Resource punkt_tab not found.  Please use the NLTK Downloader to obtain the resource:",
     "glue", Category.CONFIGURATION),
    ("jupyter_client.kernelspec.NoSuchKernel: No such kernel named python3__SAGEMAKER_INTERNAL__arn:aws:sagemaker:"
     "eu-west-1:470317259841:image/datascience-1.0", "batch", Category.CONFIGURATION),
    ("critical libmamba Cannot activate, prefix does not exist at: '/opt/conda/envs/download'", "batch",
     Category.CONFIGURATION),
    # A store or a trust set up wrongly for where the job runs.
    ("lmdb.MapFullError: mdb_put: MDB_MAP_FULL: Environment mapsize limit reached", "ecs", Category.CONFIGURATION),
    ("Caused by: java.security.InvalidAlgorithmParameterException: the trustAnchors parameter must be non-empty",
     "batch", Category.CONFIGURATION),
    ("pymysql.err.OperationalError: (2026, 'SSL connection error: ASN: bad other signature confirmation')",
     "stepfunctions", Category.CONFIGURATION),
    ("Caused by: java.lang.IllegalStateException: Detected both log4j-over-slf4j.jar AND slf4j-log4j12.jar on the "
     "class path, preempting StackOverflowError.", "emr", Category.CONFIGURATION),
    ("sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) disk I/O error", "batch", Category.CONFIGURATION),
    # Local files a process may not open, in Java's words: their mode, no AWS policy.
    ('Exception in thread "main" java.io.FileNotFoundException: /home/spark/.ivy2/cache/resolved-org.apache.spark-'
     "spark-submit-parent-83e429a6-1.0.xml (Permission denied)", "ecs", Category.CONFIGURATION),
    # An ARN where the API takes a name: IAM refuses a resource nobody named.
    ("AccessDeniedException: An error occurred (AccessDeniedException) when calling the PutRecordBatch operation: "
     "User: arn:aws:sts::123456789012:assumed-role/ingest/fn is not authorized to perform: firehose:PutRecordBatch on "
     "resource: arn:aws:firehose:eu-north-1:123456789012:deliverystream/arn:aws:firehose:eu-north-1:123456789012:"
     "deliverystream/events because no identity-based policy allows the firehose:PutRecordBatch action", "lambda",
     Category.CONFIGURATION),
    # A child process the kernel killed: memory.
    ("subprocess.CalledProcessError: Command '['python3', 'transcribe.py']' died with <Signals.SIGKILL: 9>.", "ecs",
     Category.OUT_OF_MEMORY),
    ("joblib.externals.loky.process_executor.TerminatedWorkerError: A worker process managed by the executor was "
     "unexpectedly terminated. This could be caused by a segmentation fault while calling the function or by an "
     "excessive memory usage causing the Operating System to kill the worker. The exit codes of the workers are "
     "{SIGKILL(-9)}", "ecs", Category.OUT_OF_MEMORY),
    ("nbclient.exceptions.DeadKernelError: Kernel died", "ecs", Category.OUT_OF_MEMORY),
    ("Duplicati.Library.Main.Operation.BackupHandler: Insertion failed because the database is full", "ecs",
     Category.DISK_FULL),
    # Input the reader refuses for its form.
    ("openpyxl.utils.exceptions.IllegalCharacterError: kr 400 000,- cannot be used in worksheets.", "lambda",
     Category.BAD_DATA),
    ("org.apache.poi.ooxml.POIXMLException: java.io.IOException: Zip bomb detected! The file would exceed the max. "
     "ratio of compressed file size to the size of the expanded data.", "batch", Category.BAD_DATA),
    ("System.IO.IOException: unknown packet type encountered: 20", "lambda", Category.BAD_DATA),
    # Code the runtime refuses for what it is.
    ('Exception in thread "main" java.lang.UnsupportedOperationException: No Encoder found for org.joda.time.DateTime',
     "emr", Category.CODE_ERROR),
    ("RuntimeError: An attempt has been made to start a new process before the", "batch", Category.CODE_ERROR),
    # A producer's records that waited past their time to live; Livy's session gone under a statement.
    ("[ERROR] scribe - Record failed to put - Expired : Record has reached expiration", "batch", Category.THROTTLING),
    ('Error sending http request and maximum retry encountered. payload: "requirement failed: Session isn\'t active."',
     "emr", Category.TIMEOUT),
    # One library built against another version of the one it extends, in Java 11's words; a wrapper calling a
    # constructor its jar's version does not have; a Thrift client newer than its server; a program the image lacks.
    ('Exception in thread "main" java.lang.AbstractMethodError: Missing implementation of resolved method \'abstract '
     "org.apache.spark.sql.catalyst.trees.TreeNode withNewChildrenInternal(scala.collection.IndexedSeq)' of abstract "
     "class org.apache.spark.sql.catalyst.trees.TreeNode.", "emrserverless", Category.CONFIGURATION),
    ("py4j.protocol.Py4JError: An error occurred while calling None.com.amazon.deequ.analyzers.Compliance. Trace: "
     "py4j.Py4JException: Constructor com.amazon.deequ.analyzers.Compliance([class java.lang.String, class "
     "java.lang.String, class scala.None$]) does not exist", "glue", Category.CONFIGURATION),
    ("Caused by: org.apache.hadoop.hive.ql.metadata.HiveException: Unable to fetch table daily_revenue_rollup. Invalid "
     "method name: 'get_table_req'", "emr", Category.CONFIGURATION),
    ("[Errno 2] No such file or directory: 'less': 'less'", "batch", Category.CONFIGURATION),
    # JSON no parser accepts; a streaming query Spark will not run as written.
    ("ijson.common.IncompleteJSONError: lexical error: invalid char in json text.", "glue", Category.BAD_DATA),
    ("pyspark.sql.utils.AnalysisException: Append output mode not supported when there are streaming aggregations on "
     "streaming DataFrames/DataSets without watermark;", "glue", Category.CODE_ERROR),
    # A Kerberos client with no ticket to offer: its set-up, though it reads as a metastore it could not reach.
    ("Caused by: org.apache.hadoop.hive.metastore.api.MetaException: Could not connect to meta store using any of the "
     "URIs provided. Most recent failure: org.apache.thrift.transport.TTransportException: GSS initiate failed",
     "batch", Category.CONFIGURATION),
    # A database reached while it was waking from its pause.
    ("DatabaseResumingException: The Aurora DB instance db-4F2K7QX is resuming after being auto-paused. Please wait a "
     "few seconds and try again.", "lambda", Category.DEPENDENCY_UNAVAILABLE),
    # gRPC's status codes, in Python's, Java's and Go's words: a message over the channel's limit is the limit set up
    # (flwrlabs/flower#3006), a resource exhausted otherwise a quota (GoogleCloudDataproc/spark-bigquery-connector#671),
    # a deadline the call's own time limit (aws/sagemaker-tensorflow-training-toolkit#46).
    ("grpc._channel._MultiThreadedRendezvous: <_MultiThreadedRendezvous of RPC that terminated with: status = "
     'StatusCode.RESOURCE_EXHAUSTED details = "Sent message larger than max (544715979 vs. 536870912)" >', "batch",
     Category.CONFIGURATION),
    ("Caused by: com.google.cloud.spark.bigquery.repackaged.io.grpc.StatusRuntimeException: RESOURCE_EXHAUSTED: there "
     "was an error operating on 'projects/p/locations/us/sessions/CAIS/streams/CJ': Concurrent stream usage exceeded.",
     "emr", Category.THROTTLING),
    ("rpc error: code = ResourceExhausted desc = Quota exceeded for quota metric 'Read requests'", "ecs",
     Category.THROTTLING),
    ('grpc._channel._InactiveRpcError: <_InactiveRpcError of RPC that terminated with: status = '
     'StatusCode.DEADLINE_EXCEEDED details = "Deadline Exceeded" >', "ecs", Category.TIMEOUT),
    # ... but Go's dial that found no server before its context's deadline is the server not reached.
    ("rpc error: code = DeadlineExceeded desc = context deadline exceeded", "ecs", Category.DEPENDENCY_UNAVAILABLE),
    # An empty optional value taken as if it were there (apache/hudi#6552).
    ("java.util.NoSuchElementException: No value present in Option", "emr", Category.CODE_ERROR),
    # The program a Batch job's command names, not at that path in its image (mkleehammer/pyodbc#1380).
    ('CannotStartContainerError: Error response from daemon: failed to create shim task: OCI runtime create failed: '
     'runc create failed: unable to start container process: exec: "/opt/mssql-tools/bin/sqlcmd": stat '
     "/opt/mssql-tools/bin/sqlcmd: no such file or directory: unknown", "batch", Category.CONFIGURATION),
    # A package built on a runtime newer than it was written for (mit-ll/MaDDG#1).
    ("ModuleNotFoundError: No module named 'distutils'", "ecs", Category.CONFIGURATION),
    # The AWS SDK for Java v2's own client limits under the load (fcrepo/fcrepo#2327, aws/aws-sdk-java-v2#4893).
    ("software.amazon.awssdk.core.exception.SdkClientException: Unable to execute HTTP request: Acquire operation took "
     "longer than the configured maximum time. This indicates that a request cannot get a connection from the pool "
     "within the specified maximum time.", "ecs", Category.CONFIGURATION),
    ("software.amazon.awssdk.core.exception.SdkClientException: The service request was not made within 10 seconds of "
     "doBlockingWrite being invoked. Make sure to invoke the service request BEFORE invoking doBlockingWrite if your "
     "caller is single-threaded.", "lambda", Category.CONFIGURATION),
    # Cython 3.0 compiling a package written for 0.29, as pip builds it from source (capnproto/pycapnp#319).
    ("× Getting requirements to build wheel did not run successfully.\n      Error compiling Cython file:\n"
     "error: subprocess-exited-with-error", "ecs", Category.CONFIGURATION),
    # A kubelet evicting a pod for its node's disk or memory (kubeflow/spark-operator#772), whatever runs the pod.
    ("Executor lost: The node was low on resource: ephemeral-storage. Container spark-kubernetes-executor was using "
     "21220400Ki, which exceeds its request of 0.", "emrcontainers", Category.DISK_FULL),
    ("Pod ephemeral local storage usage exceeds the total limit of containers 10Gi.", "batch", Category.DISK_FULL),
    ("The node was low on resource: memory. Container main was using 7340032Ki, which exceeds its request of 4Gi.",
     "batch", Category.OUT_OF_MEMORY),
    # A file coreutils may not open on a local or FUSE path: no IAM policy (awslabs/mountpoint-s3#452).
    ("head: cannot open '/mnt/archive/raw/2019/run_0412/sample_07.fastq.gz' for reading: Permission denied", "batch",
     Category.CONFIGURATION),
    ('WARN lookup{req=10 ino=3 name="sample_07.fastq.gz"}: mountpoint_s3::fs: objects in the GLACIER and DEEP_ARCHIVE '
     "storage classes are not readable with Mountpoint", "batch", Category.CONFIGURATION),
    # SQLite on EFS in PHP's words (teamtnt/laravel-scout-tntsearch-driver#339); a SAS reader's library not on the
    # job's classpath (saurfang/spark-sas7bdat#80).
    ("production.ERROR: SQLSTATE[HY000]: General error: 10 disk I/O error", "ecs", Category.CONFIGURATION),
    ("java.lang.NoClassDefFoundError: com/epam/parso/impl/SasFileReaderImpl", "glue", Category.CONFIGURATION),
    # Step Functions refusing a state machine's role by its trust policy (lumigo-io/lumigo-CLI#83).
    ("State 'Loop' (lambda:invoke) failed with LambdaFunctionStartFailed: States.TaskFailed — cause: Neither the "
     "global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.",
     "stepfunctions", Category.PERMISSION_DENIED),
    # A gzip body decoded as text (robbyczgw-cla/hermes-web-search-plus#11); an HTML page where an API's JSON was
    # expected (maxlath/wikibase-edit#58); a script run without HOME (aprin-labs/archimedes#426).
    ("UnicodeDecodeError: 'utf-8' codec can't decode byte 0x8b in position 1: invalid start byte", "batch",
     Category.CODE_ERROR),
    ('FetchError: invalid json response body at https://www.wikidata.org/w/api.php reason: Unexpected token < in JSON '
     "at position 0", "lambda", Category.DEPENDENCY_UNAVAILABLE),
    ("+ git config --global user.email deploy@example.com\nfatal: $HOME not set", "stepfunctions",
     Category.CONFIGURATION),
    # A model server's worker past the server's response time limit (aws/sagemaker-mxnet-inference-toolkit#77); the
    # transform job then fails with "ClientError: See job logs for more information".
    ("com.amazonaws.ml.mms.wlm.WorkerInitializationException: Backend worker did not respond in given time\n"
     '[sagemaker logs]: clips-part-0001.jsonl: {"code": 500, "type": "InternalServerException", "message": '
     '"Worker died."}', "stepfunctions", Category.TIMEOUT),
    # TorchServe's Netty decoder refusing a response over its max_response_size (aws/sagemaker-python-sdk#1882).
    ("io.netty.handler.codec.CorruptedFrameException: Message size exceed limit: 113038147", "stepfunctions",
     Category.CONFIGURATION),
    # A Lambda extension that crashed at init (DataDog/datadog-lambda-extension#263).
    ("INIT_REPORT Init Duration: 4471.83 ms\tPhase: invoke\tStatus: error\tError Type: Extension.Crash\n"
     "RequestId: 5f1a7c3e-2d9b-4e8a-b6c0-8a3d1e7f9b24 Error: exit code 0 Extension.Crash", "lambda",
     Category.CONFIGURATION),
    # ClickHouse's partitions-per-insert limit (ClickHouse/ClickHouse#49493), Doris's Stream Load filtering rows
    # (apache/doris#5796), a native library unpacked on a noexec mount (xerial/snappy-java#240), Beam's coder given a
    # null (O2-Czech-Republic/proxima-platform#145).
    ("ru.yandex.clickhouse.except.ClickHouseException: ClickHouse exception, code: 252, host: ch-1, port: 8123; "
     "Code: 252. DB::Exception: Too many partitions for single INSERT block (more than 100). (TOO_MANY_PARTS)",
     "batch", Category.CONFIGURATION),
    ("Caused by: org.apache.doris.flink.exception.StreamLoadException: stream load error: too many filtered rows",
     "emr", Category.BAD_DATA),
    ("Exception in thread \"main\" java.lang.UnsatisfiedLinkError: /tmp/snappy-1.1.7-libsnappyjava.so: "
     "/tmp/snappy-1.1.7-libsnappyjava.so: failed to map segment from shared object: Operation not permitted",
     "batch", Category.CONFIGURATION),
    ("org.apache.beam.sdk.coders.CoderException: Cannot encode a null value.", "emr", Category.CODE_ERROR),
    # Objects archived to Deep Archive or Glacier, under Athena's HIVE_CURSOR_ERROR and S3A's 403
    # (https://dev.classmethod.jp/articles/athena-glacier-deep-archive-error/, apache/hadoop#6407).
    ("HIVE_CURSOR_ERROR: com.amazonaws.services.s3.model.AmazonS3Exception: The operation is not valid for the "
     "object's storage class (Service: Amazon S3; Status Code: 403; Error Code: InvalidObjectState)", "athena",
     Category.MISSING_INPUT),
    ("java.nio.file.AccessDeniedException: s3a://acme-telemetry/raw/2023/01/part-0001.parquet: open s3a://acme-"
     "telemetry/raw/2023/01/part-0001.parquet at 0 on s3a://acme-telemetry/raw/2023/01/part-0001.parquet: software."
     "amazon.awssdk.services.s3.model.InvalidObjectStateException: The operation is not valid for the object's "
     "storage class (Service: S3, Status Code: 403, Request ID: X1):InvalidObjectState", "emr",
     Category.MISSING_INPUT),
    # Node's unhandled rejection carries the error: an SDK client with no region (aws/aws-cdk#10952).
    ("(node:1) UnhandledPromiseRejectionWarning: ConfigError: Missing region in config", "batch",
     Category.CONFIGURATION),
    # A training loss that diverged (facebookresearch/detectron2#508), a fit on constant columns
    # (CamDavidsonPilon/lifelines#1148).
    ("FloatingPointError: Loss became infinite or NaN at iteration=27!", "batch", Category.CONFIGURATION),
    ("lifelines.exceptions.ConvergenceError: Convergence halted due to matrix inversion problems. Suspicion is high "
     "collinearity.", "glue", Category.BAD_DATA),
    # A registry's rate limit in the OCI error code (aquasecurity/trivy-db#442).
    ("FATAL Fatal error init error: DB error: failed to download vulnerability DB: OCI artifact error: failed to "
     "download artifact from ghcr.io/aquasecurity/trivy-db:2: GET https://ghcr.io/v2/aquasecurity/trivy-db/"
     "manifests/2: TOOMANYREQUESTS: retry-after: 18.221µs, allowed: 44000/minute", "batch", Category.THROTTLING),
    # PostgreSQL's idle-in-transaction session timeout (reorg/pg_repack#278); MySQL's temporary files with no room
    # (OllieJones/index-wp-mysql-for-speed#52).
    ("ERROR: query failed: FATAL:  terminating connection due to idle-in-transaction timeout", "batch",
     Category.TIMEOUT),
    ("ERROR 1878 (HY000) at line 1: Temporary file write failure in ALTER TABLE mrsa_postmeta ADD UNIQUE KEY meta_id "
     "(meta_id)", "ecs", Category.DISK_FULL),
    # A settings module reading an environment variable the task definition lacks (python-decouple).
    ("Traceback (most recent call last):\n  File \"/app/compass/settings.py\", line 88, in <module>\n"
     "    'USER': config('COMPASS_DB_USER'),\ndecouple.UndefinedValueError: COMPASS_DB_USER not found. Declare it as "
     "envvar or define a default value.", "ecs", Category.CONFIGURATION),
    # A vector index for another embedding size (aws-samples/aws-ai-ml-workshop-kr#92), Delta's VACUUM retention guard
    # (delta-io/delta-rs#635), a COMMIT in a procedure called inside the client's transaction (psycopg/psycopg2#857).
    ("opensearchpy.helpers.errors.BulkIndexError: ('77 document(s) failed to index.', [{'index': {'status': 400, "
     "'error': {'type': 'mapper_parsing_exception', 'reason': \"failed to parse field [vector_field] of type "
     "[knn_vector] in document with id 'faq-0001'\", 'caused_by': {'type': 'illegal_argument_exception', 'reason': "
     "'Vector dimension mismatch. Expected: 1536, Given: 1024'}}}}])", "batch", Category.CONFIGURATION),
    ("_internal.DeltaError: Generic DeltaTable error: Invalid retention period, retention for Vacuum must be greater "
     "than 1 week (168 hours)", "lambda", Category.CONFIGURATION),
    ("psycopg2.errors.InvalidTransactionTermination: invalid transaction termination\nCONTEXT:  PL/pgSQL function "
     "reporting.refresh_daily_rollup() line 22 at COMMIT", "lambda", Category.CODE_ERROR),
    # Hive's dynamic-partitions limit (apache/spark#34493).
    ("pyspark.sql.utils.AnalysisException: org.apache.hadoop.hive.ql.metadata.HiveException: Number of dynamic "
     "partitions created is 1001, which is more than 1000. To solve this try to set hive.exec.max.dynamic.partitions "
     "to at least 1001.", "emr", Category.CONFIGURATION),
    # PyYAML's loader without the constructor a tag needs (yaml/pyyaml#266).
    ("yaml.constructor.ConstructorError: could not determine a constructor for the tag '!Ref'", "lambda",
     Category.CODE_ERROR),
    # The AWS SDK for Go v2's retry token bucket emptied by refused calls (awslabs/kinesis-hot-shard-advisor#7).
    ("operation error Kinesis: SubscribeToShard, failed to get rate limit token, retry quota exceeded, 1 available, "
     "5 requested", "ecs", Category.THROTTLING),
    # Kafka offsets that retention deleted while the job was stopped (apache/hudi#5823).
    ("Caused by: org.apache.kafka.clients.consumer.OffsetOutOfRangeException: Offsets out of range with no configured "
     "reset policy for partitions: {orders-cdc-22=22900845678}", "emr", Category.MISSING_INPUT),
    # An SSH client and server with no host key algorithm in common (mwiede/jsch#263), an SFTP open mode the server
    # does not support (Velocidex/velociraptor#921).
    ('com.jcraft.jsch.JSchAlgoNegoFailException: Algorithm negotiation fail: algorithmName="server_host_key" '
     'jschProposal="ssh-ed25519,rsa-sha2-512,rsa-sha2-256" serverProposal="ssh-rsa,ssh-dss"', "batch",
     Category.CONFIGURATION),
    ('ERROR upload claims.csv.gz: sftp: "Cannot open file in mode: CREATE|READ|TRUNCATE|WRITE" (SSH_FX_OP_UNSUPPORTED)',
     "ecs", Category.CODE_ERROR),
    # Trino's reader over a Parquet int64 the table declares a timestamp (trinodb/trino#15572), Hudi's timeline read
    # as Parquet (apache/hudi#5891), Kafka.s record size words via the REST Proxy (confluentinc/kafka-rest#208).
    ('trino.exceptions.TrinoUserError: TrinoUserError(type=USER_ERROR, name=NOT_SUPPORTED, message="Unsupported Trino '
     'column type (timestamp(3)) for Parquet column ([query_start_time] optional int64 query_start_time)")', "ecs",
     Category.BAD_DATA),
    ("java.lang.RuntimeException: s3://lake/hudi/orders/.hoodie/20220921233014.commit is not a Parquet file. expected "
     "magic number at tail [80, 65, 82, 49] but found [84, 34, 10, 125]", "glue", Category.CONFIGURATION),
    ("PublishError: Kafka REST proxy rejected record for topic news (error_code 50002): The message is 1978246 bytes "
     "when serialized which is larger than the maximum request size you have configured with the max.request.size "
     "configuration.", "lambda", Category.CONFIGURATION),
    # Confluent Schema Registry's answers under the serializer's wrapper: its ACLs' refusal (vdesabou/kafka-docker-
    # playground#5693), a subject it does not hold (confluentinc/schema-registry#864); FFmpeg built without a
    # protocol (Xilinx/video-sdk#87).
    ("org.apache.kafka.common.errors.SerializationException: Error registering Avro schema{\"type\":\"record\"}\n"
     "Caused by: io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException: User is denied "
     "operation Write on Subject: s3_topic-value; error code: 40301", "ecs", Category.PERMISSION_DENIED),
    ("org.apache.kafka.common.errors.SerializationException: Error registering Avro schema: {\"type\":\"record\"}\n"
     "Caused by: io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException: Subject not found.; "
     "error code: 40401", "emr", Category.CONFIGURATION),
    ("https protocol not found, recompile FFmpeg with openssl, gnutls or securetransport enabled.\n"
     "https://media.s3.us-east-1.amazonaws.com/in/ep04.mp4?X-Amz-Signature=0a1b2c: Protocol not found", "batch",
     Category.CONFIGURATION),
    # A Spark task's result of a class that is not serializable (awslabs/emr-dynamodb-connector#13).
    ("ERROR TaskSetManager: Task 0.0 in stage 0.0 (TID 0) had a not serializable result: "
     "org.apache.hadoop.dynamodb.DynamoDBItemWritable", "emr", Category.CODE_ERROR),
    # A broadcast join over Spark's 8 GB cap (a wrong size estimate), a body cut short before its Content-Length
    # (aws/aws-sdk-js#827), a Dask scheduler's image without the compression its peers use (dask/distributed#2605).
    ("diagnostics: User class threw exception: org.apache.spark.SparkException: Cannot broadcast the table that is "
     "larger than 8GB: 11 GB", "emr", Category.CONFIGURATION),
    ("StreamContentLengthMismatch: Stream content length mismatch. Received 24405573 of 1628095990 bytes.", "batch",
     Category.DEPENDENCY_UNAVAILABLE),
    ("ValueError: Data is compressed as lz4 but we don't have this installed", "ecs", Category.CONFIGURATION),
    # A Delta client older than the table's reader features (delta-io/delta-rs#3543).
    ("Error: Transaction failed: Unsupported reader features required: [DeletionVectors]", "ecs",
     Category.CONFIGURATION),
    # An Iceberg v1 table whose evolved partition spec kept a void transform, read by Athena (apache/iceberg#5637).
    ("Query FAILED: GENERIC_INTERNAL_ERROR: Unsupported partition transform: 1000: date: void(7)", "athena",
     Category.CONFIGURATION),
    # zlib's inflate on damaged ARC files (archivesunleashed/aut#271).
    ("Lost task 17269.3 in stage 0.0 (TID 17301, ip-10-0-3-77.ec2.internal, executor 12): java.util.zip.ZipException: "
     "too many length or distance symbols", "emr", Category.BAD_DATA),
    # Hadoop's native library not on the JVM's library path (alibaba/DataX#202, bloomberg/chef-bach#24).
    ("java.lang.UnsatisfiedLinkError: org.apache.hadoop.util.NativeCodeLoader.buildSupportsSnappy()Z", "ecs",
     Category.CONFIGURATION),
    ("java.lang.UnsatisfiedLinkError: no gplcompression in java.library.path", "batch", Category.CONFIGURATION),
    # vLLM's context longer than its KV cache (vllm-project/vllm#2418).
    ("ValueError: The model's max seq len (4096) is larger than the maximum number of tokens that can be stored in "
     "KV cache (3664). Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the "
     "engine.", "batch", Category.CONFIGURATION),
    # A script with Windows line endings run by bash (mvillarrealb/docker-spark-cluster#40): its syntax error is the
    # script's, not the data's.
    ("/start-spark.sh: line 10: syntax error near unexpected token `elif'", "ecs", Category.CODE_ERROR),
    # netCDF-C's "HDF error" on a file it cannot open (Cloud-Drift/clouddrift#531: zero-byte downloads).
    ("OSError: [Errno -101] NetCDF: HDF error: '/tmp/clouddrift/gdp_exp/drifter_hourly_101815.nc'", "ecs",
     Category.BAD_DATA),
    # xarray's SciPy engine handed a NetCDF-4 file (NCAR/mom6-tools#86).
    ("TypeError: Error: /mnt/data/WOA18_SALT.nc is not a valid NetCDF 3 file If this is a NetCDF4 file, you may need "
     "to install the netcdf4 library, e.g.,", "lambda", Category.CONFIGURATION),
    # A Redis primary that became a read-only replica under the client (redisson/redisson#241).
    ("org.redisson.client.RedisException: READONLY You can't write against a read only slave.. channel: [id: "
     "0x9f2c1a3e, L:/10.0.2.17:41234 - R:clickstream-sessions.use1.cache.amazonaws.com/10.0.3.41:6379]", "ecs",
     Category.DEPENDENCY_UNAVAILABLE),
    # STS's cap on a chained role's session (deployment-io/runner#89); a JDBC URL property's value the driver refuses
    # (awslabs/aws-mysql-jdbc#411).
    ("operation error STS: AssumeRole, https response error StatusCode: 400, api error ValidationError: The requested "
     "DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.", "ecs",
     Category.CONFIGURATION),
    ("java.sql.SQLException: The connection property 'zeroDateTimeBehavior' acceptable values are: 'CONVERT_TO_NULL', "
     "'EXCEPTION' or 'ROUND'. The value 'convertToNull' is not acceptable.", "emr", Category.CONFIGURATION),
    # A DynamoDB key condition the code built with two conditions on one key (awslabs/aws-athena-query-federation#1089).
    ("com.amazonaws.services.dynamodbv2.model.AmazonDynamoDBException: KeyConditionExpressions must only contain one "
     "condition per key (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException)", "lambda",
     Category.CODE_ERROR),
    # A Redlock lock that expired under the work (mike-marcacci/node-redlock#65).
    ("LockError: Unable to fully release the lock on resource \"locks:daily-export\".", "lambda", Category.TIMEOUT),
    # A request past a fixed size the code built (ASFHyP3/hyp3#2241, ClickHouse/clickhouse-java#229).
    ("RequestEntityTooLargeException: An error occurred (RequestEntityTooLargeException) when calling the Invoke "
     "operation: 264496 byte payload is too large for the Event invocation type (limit 262144 bytes)", "lambda",
     Category.CODE_ERROR),
    ("java.lang.IllegalArgumentException: Can't get JDBC type for struct<status:array<string>>", "glue",
     Category.CODE_ERROR),
    # OpenSSL 3 refusing a server that only does legacy renegotiation (C0D3D3V/Moodle-DL#154).
    ("Connection error: HTTPSConnectionPool(host='moodle.example.de', port=443): Max retries exceeded with url: "
     "/webservice/rest/server.php (Caused by SSLError(SSLError(1, '[SSL: "
     "UNSAFE_LEGACY_RENEGOTIATION_DISABLED] unsafe legacy renegotiation disabled (_ssl.c:997)')))", "ecs",
     Category.CONFIGURATION),
    # rustls finding no root certificate in the image (Boavizta/cloud-scanner#666), in Rust's panic.
    ("thread 'tokio-runtime-worker' panicked at /usr/local/cargo/registry/src/index.crates.io-6f17d22bba15001f/"
     "hyper-rustls-0.24.2/src/config.rs:48:9: no CA certificates found", "ecs", Category.CONFIGURATION),
    # CloudWatch Logs refused by the function a subscription filter names (YumaInaura/YumaInaura#3460), and a log batch
    # the client held past 24 hours (maxbanton/cwh#96): InvalidParameterException's message names the cause.
    ("State 'PutSubscriptionFilter' (aws-sdk:cloudwatchlogs:putSubscriptionFilter) failed with TaskFailed: "
     "CloudWatchLogs.InvalidParameterException — cause: Could not execute the lambda function. Make sure you have "
     "given CloudWatch Logs permission to execute your function. (Service: CloudWatchLogs, Status Code: 400)",
     "stepfunctions", Category.PERMISSION_DENIED),
    ('{"__type":"InvalidParameterException","message":"The batch of log events in a single PutLogEvents request cannot '
     'span more than 24 hours."}', "ecs", Category.CODE_ERROR),
    # Python bytecode compiled by another version than the runtime's (developmentseed/ml-enabler#122).
    ("Runtime.ImportModuleError: Unable to import module 'download_and_predict.handler': bad magic number in 'affine': "
     "b'U\\r\\r\\n'", "stepfunctions", Category.CONFIGURATION),
    # A MySQL binlog position the server purged under a stopped CDC job (apache/flink-cdc#271): the position it resumes
    # from, "skipping 0 events", is no notice of something passed over.
    ("Caused by: org.apache.kafka.connect.errors.ConnectException: The connector is trying to read binlog starting "
     "at GTIDs 6b71ee1c-50ef-11eb-bd49-0c42a1e81720:1-407326628 and binlog file 'mysql-bin.001073', pos=86097934, "
     "skipping 0 events plus 0 rows, but this is no longer available on the server. Reconfigure the connector to use "
     "a snapshot when needed.", "ecs", Category.MISSING_INPUT),
    # A Glue crawler's recrawl policy against its target (hashicorp/terraform-provider-aws#22868).
    ('InvalidInputException: An error occurred (InvalidInputException) when calling the UpdateCrawler operation: '
     'RecrawlBehavior "Crawl new folders only" can only apply to Amazon S3 target.', "lambda", Category.CONFIGURATION),
    # A zip Windows' built-in tool wrote as if split over disks (BodenmillerGroup/ImcSegmentationPipeline#18).
    ("zipfile.BadZipFile: zipfiles that span multiple disks are not supported", "batch", Category.BAD_DATA),
    # The awslogs driver's retries creating a stream spent (praetorian-inc/chariot-ui#482).
    ("CannotStartContainerError: Error response from daemon: failed to create task for container: failed to "
     "initialize logging driver: failed to create Cloudwatch log stream: operation error CloudWatch Logs: "
     "CreateLogStream, exceeded maximum number of attempts, 3", "batch", Category.THROTTLING),
    # A header S3 requires that the client's request left out (redpanda-data/connect#2923), not S3 out of reach.
    ('level=error msg="Failed to send message to aws_s3: upload multipart failed, cause: operation error S3: '
     'UploadPart, https response error StatusCode: 400, api error InvalidRequest: Content-MD5 OR x-amz-checksum- '
     'HTTP header is required for Put Part requests with Object Lock parameters"', "ecs", Category.CODE_ERROR),
    # A dataset's loading script that datasets 2.20 runs only when asked (embeddings-benchmark/mteb#930).
    ("ValueError: The repository for mteb/amazon_counterfactual contains custom code which must be executed to "
     "correctly load the dataset. You can inspect the repository content at https://hf.co/datasets/mteb/amazon_"
     "counterfactual. Please pass the argument `trust_remote_code=True` to allow custom code to be run.", "batch",
     Category.CONFIGURATION),
    # YARN's share for application masters, a scheduler setting, not the cluster's size (apache/spark#56715).
    ("diagnostics: Application is added to the scheduler and is not yet activated. Queue's AM resource limit "
     "exceeded.  Details : AM Partition = <DEFAULT_PARTITION>; AM Resource Request = <memory:2048, vCores:1>; Queue "
     "Resource Limit for AM = <memory:1024, vCores:1>;", "emr", Category.CONFIGURATION),
    # Java's Kerberos client refusing the KDC's reply, a krb5.conf the JDK reads otherwise (trinodb/docker-images#53),
    # and SQL Server's Kerberos login asking for an SPN the directory lacks (dotnet/SqlClient#2394): not credentials.
    ('Exception in thread "main" org.apache.hadoop.security.KerberosAuthException: failure to login: for principal: '
     "hdfs/hadoop-master@LABS.TERADATA.COM from keytab /etc/hadoop/conf/hdfs.keytab javax.security.auth.login."
     "LoginException: Message stream modified (41)\nCaused by: javax.security.auth.login.LoginException: Message "
     "stream modified (41)\nCaused by: KrbException: Message stream modified (41)", "batch", Category.CONFIGURATION),
    ("fail: OrdersExtract.Program[0]\nMicrosoft.Data.SqlClient.SqlException (0x80131904): The target principal name "
     "is incorrect. Cannot generate SSPI context.", "ecs", Category.CONFIGURATION),
    # Active Directory refusing an LDAP bind for a password expired (cannatag/ldap3#397).
    ("Simple bind refused, result: {'result': 49, 'description': 'invalidCredentials', 'dn': '', 'message': "
     "'80090308: LdapErr: DSID-0C09030B, comment: AcceptSecurityContext error, data 532, v893'}", "lambda",
     Category.PERMISSION_DENIED),
    # MongoDB's and DocumentDB's refusals of how the code reads and writes: a batch past 16 MB
    # (powersync-ja/powersync-service#154), an option DocumentDB lacks (PostHog/posthog#77214), a cursor held idle past
    # the server's ten minutes (PostHog/posthog#74747).
    ('ERROR: Replication error | MongoBulkWriteError: BSONObj size: 16814023 (0x1008FC7) is invalid. Size must be '
     'between 0 and 16793600(16MB) First element: insert: "bucket_data"', "ecs", Category.CODE_ERROR),
    ("pymongo.errors.OperationFailure: Field 'noCursorTimeout' is currently not supported, full error: {'ok': 0.0, "
     "'code': 303, 'errmsg': \"Field 'noCursorTimeout' is currently not supported\"}", "glue", Category.CODE_ERROR),
    ("pymongo.errors.CursorNotFound: cursor id 8410339572047412937 not found, full error: {'ok': 0.0, 'errmsg': "
     "'cursor id 8410339572047412937 not found', 'code': 43, 'codeName': 'CursorNotFound'}", "batch",
     Category.CODE_ERROR),
    # How the code binds JSON to its classes (open-telemetry/opentelemetry-java-instrumentation#4645,
    # linkedin/transport#12), not the JSON.
    ('java.lang.IllegalArgumentException: Unrecognized field "version" (class com.amazonaws.services.lambda.runtime.'
     'events.ScheduledEvent), not marked as ignorable (8 known properties: "detail", "region"])', "lambda",
     Category.CODE_ERROR),
    ("Caused by: com.fasterxml.jackson.databind.JsonMappingException: Incompatible Jackson version: 2.7.9", "emr",
     Category.CODE_ERROR),
    # A GeoTools method another version of its jar lacks (apache/sedona#1477): the classpath.
    ("Caused by: java.lang.NoSuchMethodError: 'void org.geotools.coverage.grid.GridGeometry2D.<init>(org.opengis."
     "coverage.grid.GridEnvelope, org.opengis.referencing.datum.PixelInCell)'", "emr", Category.CONFIGURATION),
    # Snowflake's session without a schema, whatever its SQLSTATE's class (snowflakedb/snowflake-connector-python#1034).
    ("snowflake.connector.errors.ProgrammingError: 090106 (22000): Cannot perform CREATE TEMPSTAGE. This session does "
     "not have a current schema. Call 'USE SCHEMA', or use a qualified name.", "batch", Category.CONFIGURATION),
    # A refusal that names the option to get past it (opensearch-project/opensearch-spark#708).
    ("Caused by: java.lang.IllegalStateException: Cannot process overwrite snapshot: 6617058326651408725, to ignore "
     "overwrites, set streaming-skip-overwrite-snapshots=true", "emrserverless", Category.CONFIGURATION),
    # Avro's schemas against what the code hands them (AbsaOSS/ABRiS#125, fastavro/fastavro#518).
    ('Caused by: org.apache.avro.AvroRuntimeException: Not a union: "string"', "emr", Category.CODE_ERROR),
    ('fastavro._schema_common.UnknownType: {"type":"record","name":"productView","fields":[{"name":"userId","type":'
     '"long"}]}', "lambda", Category.CODE_ERROR),
    # A shared secret's KMS key looked up in the caller's account (hashicorp/terraform-provider-aws#30272).
    ("botocore.errorfactory.EncryptionFailure: An error occurred (EncryptionFailure) when calling the PutSecretValue "
     "operation: Secrets Manager can't encrypt the secret value: Key 'arn:aws:kms:us-east-1:123456789012:key/6d2f8b1e' "
     "does not exist (Service: AWSKMS; Status Code: 400; Error Code: NotFoundException)", "ecs",
     Category.CONFIGURATION),
    # Athena's engine failing in itself, in the wrapper of a function that ran the query (awslabs/aws-athena-query-
    # federation#107).
    ("[ERROR] QueryFailedError: Query 4f8a1c3e finished in state FAILED: [ErrorCode: INTERNAL_ERROR_QUERY_ENGINE] "
     "Amazon Athena experienced an internal error while executing this query.", "lambda",
     Category.DEPENDENCY_UNAVAILABLE),
    # A medium rule's class whose message says the rule's own words: the phrase, over a broader one ("not found").
    ("PyPDF2.utils.PdfReadError: EOF marker not found", "batch", Category.BAD_DATA),
    # Deequ's profiler over a column that holds only NULLs (awslabs/deequ#419).
    ('Exception in thread "main" com.amazon.deequ.analyzers.runners.EmptyStateException: Empty state for analyzer '
     "Completeness(total_clicks,None), all input values were NULL.", "emr", Category.BAD_DATA),
    # Kafka clients against the cluster: a topic it does not have (fede1024/rust-rdkafka#365), a fetch smaller than
    # its messages (dpkp/kafka-python#377), a role session name that changes under MSK IAM's re-authentication
    # (jmaver-plume/kafkajs-msk-iam-authentication-mechanism#35).
    ("rdkafka::error::KafkaError: Message consumption error: UnknownTopicOrPartition (Broker: Unknown topic or "
     "partition)", "lambda", Category.MISSING_INPUT),
    ('Traceback (most recent call last):\n  File "/app/consume.py", line 88, in run\n    raise '
     "ConsumerFetchSizeTooSmall()\nkafka.common.ConsumerFetchSizeTooSmall", "batch", Category.CONFIGURATION),
    ("KafkaJSNonRetriableError: Cannot change principals during re-authentication from IAM.arn:aws:sts::123456789012:"
     "assumed-role/consumer/aws-sdk-js-session-1682632292551: IAM.arn:aws:sts::123456789012:assumed-role/consumer/"
     "aws-sdk-js-session-1682635894325", "ecs", Category.CONFIGURATION),
    # Elasticsearch's block past the flood-stage disk watermark, in FORBIDDEN's words (b2ihealthcare/snow-owl#415).
    ("Caused by: org.elasticsearch.ElasticsearchStatusException: Elasticsearch exception [type=cluster_block_"
     "exception, reason=blocked by: [FORBIDDEN/12/index read-only / allow delete (api)];]", "batch",
     Category.DISK_FULL),
    # An EventBridge connection whose authorization did not validate (shieldpay-docs transwarp runbook).
    ("State 'SubmitGridInquiry' (http:invoke) failed with TaskFailed: Events.ConnectionResource.InvalidConnectionState "
     "— cause: Connection resource is not authorized. This is likely a configuration issue with your connection.",
     "stepfunctions", Category.CONFIGURATION),
    # An AWS API's required parameter the call left out (aws/aws-sdk-js-v3#5031).
    ("MissingParameter: The request must contain the parameter MessageGroupId. at throwDefaultError (/app/node_modules/"
     "@smithy/smithy-client/dist-cjs/default-error-handler.js:8:22)", "batch", Category.CODE_ERROR),
    # Airlift's refusal of a property the installed server no longer takes (trinodb/trino#367).
    ("2) Error: Defunct property 'query.low-memory-killer.enabled' (class [class io.prestosql.memory."
     "MemoryManagerConfig]) cannot be configured.", "emr", Category.CONFIGURATION),
    # PySpark's check of a package its pandas API needs (opentargets/gentropy#1071): not an input "not found".
    ("ImportError: PyArrow >= 4.0.0 must be installed; however, it was not found.", "emr", Category.CODE_ERROR),
    # S3's answer for a bucket it has disabled or reserved: a CopySource without its bucket (aws/aws-sdk-js#695).
    ("State 'PublishManifest' (aws-sdk:s3:copyObject) failed with TaskFailed: S3.S3Exception — cause: All access to "
     "this object has been disabled (Service: S3, Status Code: 403)", "stepfunctions", Category.CONFIGURATION),
    # A JDK's native library whose system library the image lacks (docker-library/openjdk#333).
    ("Caused by: java.lang.UnsatisfiedLinkError: /usr/local/openjdk-8/jre/lib/amd64/libfontmanager.so: "
     "libfreetype.so.6: cannot open shared object file: No such file or directory", "batch", Category.CONFIGURATION),
    # aws-lambda-go's check of the handler's signature (NextDotID/proof_server#80).
    ("errorString: handler returns a single value, but it does not implement error", "lambda", Category.CODE_ERROR),
    # A Spark catalog whose implementation is not on the classpath (awslabs/aws-glue-libs#179).
    (": org.apache.spark.SparkException: Cannot find catalog plugin class for catalog 'glue_catalog': org.apache."
     "iceberg.spark.SparkCatalog", "glue", Category.CONFIGURATION),
    # A request signed by a host whose clock is off (aws/aws-sdk-php#612): the host, not a policy.
    ("PHP Fatal error: Uncaught exception 'Aws\\S3\\Exception\\S3Exception' with message 'AWS HTTP error: Client "
     "error: 403 RequestTimeTooSkewed (client): The difference between the request time and the current time is too "
     "large.'", "ecs", Category.CONFIGURATION),
    # nbconvert's limit on one cell (ipython/ipython#8382).
    ("[NbConvertApp] ERROR | Timeout waiting for execute reply (30s).", "ecs", Category.TIMEOUT),
    # A time zone database older than the engine's parser (apache/gluten#9402).
    ("Caused by: org.apache.gluten.exception.GlutenException: corrupt tzdb: rule 'M' does not exist", "ecs",
     Category.CONFIGURATION),
    # A program whose file mode does not let it run, its errno as a cause of its own (FederatedAI/FATE-Flow#352).
    ('java.io.IOException: Cannot run program "./python_env/python/venv/bin/python": error=13, Permission denied\n'
     "Caused by: java.io.IOException: error=13, Permission denied", "emr", Category.CONFIGURATION),
    # A file of the job's own output staging, removed by another run appending to the same folder before this one
    # committed (databricks/spark-avro#127): who writes where, not a missing input.
    ("Caused by: java.io.FileNotFoundException: No such file or directory: s3://lake/avro/events/6/_temporary/0/"
     "task_201604220006_0106_m_000000/key=20140907/part-r-00000-af0e.avro", "emr", Category.CONFIGURATION),
    ("Caused by: java.io.FileNotFoundException: Failed to get file status s3://lake/events/skip_dir/_temporary/0",
     "glue", Category.CONFIGURATION),
    # SQL's refusal of a value where the type is the code's cast or variable (Nominatim's ::integer on OSM ids past
    # 2^31; pg_pathman's count(*) in an INTEGER, postgrespro/pg_pathman#39; a SUM over a BIGINT cast in Redshift).
    ('index_placex: UPDATE failed: ERROR:  value "2226265960" is out of range for type integer', "batch",
     Category.CODE_ERROR),
    ("psycopg2.DataError: integer out of range\nCONTEXT:  PL/pgSQL function create_range_partitions(regclass,text,"
     "anyelement,anyelement,integer,boolean) line 27 at EXECUTE", "glue", Category.CODE_ERROR),
    ("redshift_connector.error.ProgrammingError: {'S': 'ERROR', 'M': 'Numeric data overflow (addition)', 'C': 'XX000'}",
     "ecs", Category.CODE_ERROR),
    # Lambda's fixed 6 MB response, over which a function returned its rows inline (cube-js/cube#3175).
    ("State 'RunCubeExport' (lambda:invoke) failed with TaskFailed: Function.ResponseSizeTooLarge — cause: "
     "errorMessage: Response payload size exceeded maximum allowed payload size (6291556 bytes).", "stepfunctions",
     Category.CODE_ERROR),
    # A conditional write after an eventually consistent read (stevearc/pypicloud#66): the code's read-then-write.
    ("dynamo3.exception.ConditionalCheckFailedException: ConditionalCheckFailedException: The conditional request "
     "failed", "ecs", Category.CODE_ERROR),
    # NodeManagers without the shuffle service the job's containers ask for (cdapio/cdap#10421): yarn-site's.
    ("Container launch failed for container_1532362519874_0002_01_000002 : org.apache.hadoop.yarn.exceptions."
     "InvalidAuxServiceException: The auxService:mapreduce_shuffle does not exist", "emr", Category.CONFIGURATION),
    # A library's class whose static set-up failed: a Scala 2.11 connector on Glue 3's Scala 2.12
    # (elastic/elasticsearch-hadoop#1558).
    ("org.apache.spark.SparkException: Job aborted due to stage failure: Task 1 in stage 89.0 failed 4 times\n"
     "Caused by: java.lang.NoClassDefFoundError: Could not initialize class "
     "org.elasticsearch.spark.serialization.ScalaMetadataExtractor$", "glue", Category.CONFIGURATION),
    # Batch refusing a job as asked: EC2's vcpus given to a Fargate queue (insitro/redun#95).
    ("botocore.errorfactory.ClientException: An error occurred (ClientException) when calling the SubmitJob operation: "
     "vcpus is not applicable for Fargate. Use resource requirements instead.", "ecs", Category.CONFIGURATION),
    # A crawler started while it already ran (boto/boto3#1606): the code's call, no rate limit.
    ("botocore.errorfactory.CrawlerRunningException: An error occurred (CrawlerRunningException) when calling the "
     "StartCrawler operation: Crawler with name web_events_curated_crawler has already started", "glue",
     Category.CODE_ERROR),
    # A naive time compared with an aware one, in PyArrow's words under ArrowInvalid (mlrun/mlrun#3788) and Python's.
    ("pyarrow.lib.ArrowInvalid: Cannot compare timestamp with timezone to timestamp without timezone, got: "
     "timestamp[us, tz=UTC] and timestamp[us]", "batch", Category.CODE_ERROR),
    ("TypeError: can't compare offset-naive and offset-aware datetimes", "lambda", Category.CODE_ERROR),
    # Glue's check of a connection's VPC: its addresses must resolve back to names (terraform-provider-aws#16232).
    ("Run ERROR: Reverse dns resolution of ip 10.0.1.153 failed", "glue", Category.CONFIGURATION),
    # Spark given a Delta table without Delta's session extension and catalog (delta-io/delta#1363).
    ("ERROR ProcessLauncher: Exception in User Class | org.apache.spark.SparkException: Table implementation does not "
     "support writes: miniotest2.test", "glue", Category.CONFIGURATION),
    # elasticsearch-hadoop giving up on bulk writes the cluster rejected (elastic/elasticsearch#20897).
    ("org.elasticsearch.hadoop.EsHadoopException: Could not write all entries for bulk operation [12/1000]. Error "
     "sample (first [5] error messages): rejected execution of coordinating operation (maybe ES was overloaded?). "
     "Bailing out...", "glue", Category.THROTTLING),
    # A command the image's entrypoint already runs, repeated in the job definition's command (ASFHyP3/hyp3#2894).
    ("Usage: python -m dist_s1 run [OPTIONS]\nTry 'python -m dist_s1 run --help' for help.\n\nError: Got unexpected "
     "extra argument (dist-s1 run)", "batch", Category.CONFIGURATION),
    # PyArrow built without a codec (the AWSSDKPandas Lambda layer's, aws/aws-sdk-pandas#2445): the build, not the data.
    ("pyarrow.lib.ArrowNotImplementedError: Support for codec 'zstd' not built", "lambda", Category.CONFIGURATION),
    # Batch's reason for a compute environment it could not set up as written, quoted by whatever waited on it.
    ("Compute environment quant-ce: status INVALID, statusReason: CLIENT_ERROR - Launch Template UserData is not MIME "
     "multipart format", "stepfunctions", Category.CONFIGURATION),
    # EMR's EC2_INSUFFICIENT_CAPACITY in its own words under INTERNAL_ERROR (the EMR guide's page for that code).
    ("Cluster genomics (j-1PW6D3XN8KT0R) is TERMINATED_WITH_ERRORS: INTERNAL_ERROR — EC2 is out of capacity for "
     "r5.4xlarge.", "emr", Category.CAPACITY),
    # A file the tool needs, said with a contraction (Bismark's index check, nf-core/methylseq#207).
    ("The HISAT2 index of the G->A converted genome seems to be faulty (BS_GA.8.ht2 doesn't exist). Please run "
     "bismark_genome_preparation --hisat2 before running Bismark.", "batch", Category.MISSING_INPUT),
    # Presto's query.max-run-time in its own words (prestodb/presto#8780: the hour counts the time queued too).
    ("Query 20170814_040002_00017_kq3m8 failed: Query exceeded maximum time limit of 1.00h", "emr", Category.TIMEOUT),
    # MapReduce's limit on a job's split metadata, on hundreds of thousands of small input files (a setting).
    ("org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Job init failed : org.apache.hadoop.yarn.exceptions."
     "YarnRuntimeException: java.io.IOException: Split metadata size exceeded 10000000. Aborting job "
     "job_1562751241391_0004", "emr", Category.CONFIGURATION),
    # A Glue connection whose Availability Zone is not its subnet's (aws-solutions-library-samples/data-lakes-on-aws
    # #317).
    ("An error occurred while calling o98.getDynamicFrame. failed to execute with exception Availability "
     "Zone us-east-1a does not correspond to subnet (Service: AWSGlueJobExecutor; Status Code: 400; Error "
     "Code: InvalidInputException)", "glue", Category.CONFIGURATION),
    # s3fs in a container without /dev/fuse or privileges (s3fs-fuse/s3fs-fuse#1314).
    ("fuse: device not found, try 'modprobe fuse' first", "batch", Category.CONFIGURATION),
    # mysqldump's packet limit on a row's blob (mlrun/mlrun#2387).
    ("mysqldump: Error 2020: Got packet bigger than 'max_allowed_packet' when dumping table `runs` at "
     "row: 4315", "ecs", Category.CONFIGURATION),
    # An authentication plugin pgloader's MySQL driver does not speak (dimitri/pgloader#782): the server answered.
    ("ERROR mysql: Failed to connect to mysql at \"billing-mysql.internal\" (port 3306) as user \"pgloader\": "
     "Condition QMYND:MYSQL-UNSUPPORTED-AUTHENTICATION was signalled.", "ecs", Category.CONFIGURATION),
    # S3's bare 400 to a request sent to another region's endpoint (an s3a endpoint pinned to us-east-1).
    ("Caused by: com.amazonaws.services.s3.model.AmazonS3Exception: Bad Request (Service: Amazon S3; "
     "Status Code: 400; Error Code: 400 Bad Request; Request ID: 7D2F9A1C3B5E8F40)", "emr", Category.CONFIGURATION),
    # Bare Avro records without the container header (googleapis/google-cloud-dotnet#8833).
    ("Caused by: org.apache.avro.InvalidAvroMagicException: Not an Avro data file.", "glue", Category.BAD_DATA),
    # XML with bytes before its prolog, a UTF-8 BOM (dependency-check/DependencyCheck#2654).
    ("Exception in User Class: org.xml.sax.SAXParseException; lineNumber: 1; columnNumber: 1; Content is "
     "not allowed in prolog.", "glue", Category.BAD_DATA),
    # EMRFS consistent view listing an object deleted outside EMRFS (the EMR guide's emrfs sync).
    ("Caused by: com.amazon.ws.emr.hadoop.fs.consistency.exception.ConsistencyException: 1 items "
     "inconsistent (no s3 object for associated metadata item). First object: "
     "/acme-lake/events/dt=2020-01-03/part-00007.parquet listStatus: No Amazon S3 object for metadata item",
     "emr", Category.MISSING_INPUT),
])
def test_error_families_without_a_signature(text: str, source: str, category: Category) -> None:
    assert diagnose(book(text), source).cause.category == category


@pytest.mark.parametrize(("texts", "category"), [
    # libtiff's short read of a tile in a truncated file (microsoft/PlanetaryComputer#114), under rasterio's wrapper.
    (("ERROR 1: TIFFFillTile:Read error at row 6144, col 3840, tile 295; got 81147 bytes, expected 101991",
      "rasterio.errors.RasterioIOError: Read or write failed. IReadBlock failed at X offset 25, Y offset 9: "
      "TIFFReadEncodedTile() failed."), Category.BAD_DATA),
    # GCC's compiler proper killed for memory while R built a package, and what R said after (tidyverse/dplyr#1406).
    (("g++: internal compiler error: Killed (program cc1plus)", "ERROR: compilation failed for package ‘dplyr’",
      "Error in library(dplyr) : there is no package called ‘dplyr’"), Category.OUT_OF_MEMORY),
    # libvips built without the loader of a format (libvips/pyvips#117), in a Python traceback.
    (("Traceback (most recent call last):", "pyvips.error.Error: unable to load from file b'example.heic' "
      'VipsForeignLoad: "example.heic" is not a known file format'), Category.CONFIGURATION),
    # PostgreSQL's COPY and ReadStat on rows or files of another shape (mathesar-foundation/mathesar#5209,
    # Roche/pyreadstat#255).
    (('psycopg2.errors.BadCopyFileFormat: missing data for column "phylum"',), Category.BAD_DATA),
    (("pyreadstat._readstat_parser.ReadstatError: Invalid file, or file has unsupported features",), Category.BAD_DATA),
    # numba's JIT cache with nowhere to be written: the user the job runs as (librosa/librosa#1156).
    (("Traceback (most recent call last):", "RuntimeError: cannot cache function '__shear_dense': no locator available "
      "for file '/usr/local/lib/python3.6/dist-packages/librosa/util/utils.py'"), Category.CONFIGURATION),
])
def test_a_tools_own_words_for_what_it_could_not_do_name_the_cause(texts: tuple[str, ...], category: Category
                                                                         ) -> None:
    # Read by a class rule, not by the wording alone: medium, not low.
    cause = diagnose(book(*texts), "batch").cause
    assert (cause.category, cause.confidence) == (category, Confidence.MEDIUM)


@pytest.mark.parametrize(("text", "category"), [
    # The SQLSTATE class decides over the driver's umbrella exception (ProgrammingError, SQLException)...
    ("snowflake.connector.errors.ProgrammingError: 100038 (22018): Numeric value 'abc' is not recognized",
     Category.BAD_DATA),
    ("snowflake.connector.errors.ProgrammingError: 000630 (57014): Statement reached its statement or warehouse "
     "timeout of 3,600 second(s) and was canceled.", Category.TIMEOUT),
    ("java.sql.SQLException: ERROR: relation does not have the expected layout (SQLSTATE 42501)",
     Category.PERMISSION_DENIED),
    # ... and the message's own phrase over the SQLSTATE class (08006 is any connection failure).
    ("Error!: SQLSTATE[08006] [7] FATAL:  sorry, too many clients already", Category.CAPACITY),
    # The databases' own wording for a table that is not there, storage that is full, a database the
    # connection names that the server does not have.
    ("java.sql.SQLSyntaxErrorException: Table 'sales.orders_stage' doesn't exist", Category.MISSING_INPUT),
    ("com.microsoft.sqlserver.jdbc.SQLServerException: Invalid object name 'dbo.orders_stage'.",
     Category.MISSING_INPUT),
    ("java.sql.SQLException: The table 'orders_tmp' is full", Category.DISK_FULL),
    ("com.microsoft.sqlserver.jdbc.SQLServerException: The transaction log for database 'etl' is full due to "
     "'LOG_BACKUP'.", Category.DISK_FULL),
    ("com.microsoft.sqlserver.jdbc.SQLServerException: Could not allocate space for object 'dbo.orders' in "
     "database 'etl' because the 'PRIMARY' filegroup is full.", Category.DISK_FULL),
    ('psycopg2.OperationalError: FATAL:  database "analytics_prod" does not exist', Category.CONFIGURATION),
])
def test_database_errors_by_sqlstate_class_and_wording(text: str, category: Category) -> None:
    assert diagnose(book(text), "glue").cause.category == category


@pytest.mark.parametrize("text", [
    # A Batch container override "RUN_DATE.$" written without its ".$": the JSONPath reaches the code as text.
    "ValueError: time data '$.run_date' does not match format '%Y-%m-%d'",
    "ValueError: invalid literal for int() with base 10: '$.detail.count'",
    # An unexpanded shell variable and a scheduler template that was never rendered.
    "Invalid date '${RUN_DATE}': expected YYYY-MM-DD",
    "pendulum.parsing.exceptions.ParserError: Unable to parse string [{{ ds }}] - could not parse '{{ ds }}'",
])
def test_a_value_that_is_an_unresolved_reference_is_configuration_not_data(text: str) -> None:
    d = diagnose(book(text), "batch")
    assert (d.cause.category, d.cause.confidence) == (Category.CONFIGURATION, Confidence.MEDIUM)


@pytest.mark.parametrize(("text", "category"), [
    # awslabs/emr-dynamodb-connector#18: every repository answered, and none has that version.
    ("Exception in thread \"main\" java.lang.RuntimeException: [unresolved dependency: "
     "com.amazon.emr#emr-dynamodb-hadoop;4.1.0: not found]", Category.CONFIGURATION),
    # The same words when the repositories could not be reached: not the coordinates.
    ("Server access error at url https://repo1.maven.org/maven2/com/amazon/emr/emr-dynamodb-hadoop/4.1.0/x.pom "
     "(java.net.ConnectException: Connection timed out)\njava.lang.RuntimeException: [unresolved dependency: "
     "com.amazon.emr#emr-dynamodb-hadoop;4.1.0: not found]", Category.DEPENDENCY_UNAVAILABLE),
    # aws-samples/cql-replicator#204: an empty --extra-files, and the next option's name read as a file.
    ("java.io.FileNotFoundException: File --TTL_COLUMN does not exist", Category.CONFIGURATION),
    ("java.io.FileNotFoundException: File s3://bucket/conf/ttl.json does not exist", Category.MISSING_INPUT),
    # pyarrow's exception class ends in neither Error nor Exception (apache/arrow#37068).
    ("pyarrow.lib.ArrowInvalid: Unable to merge: Field M_SECTION_ID has incompatible types: int16 vs int64",
     Category.BAD_DATA),
    # A 500 that is EC2's capacity refusal (amzn/amazon-ray#10): the message, not the status, names the cause.
    ("Ec2.Ec2Exception — cause: We currently do not have sufficient r5n.24xlarge capacity in the Availability Zone "
     "you requested (us-west-2b). (Service: Ec2, Status Code: 500, Request ID: 4fd003e4)", Category.CAPACITY),
    ("com.amazonaws.SdkClientException: Unable to execute request (Service: Amazon S3; Status Code: 500; Error Code: "
     "InternalError)", Category.DEPENDENCY_UNAVAILABLE),
    # Spark's broadcast join over spark.sql.broadcastTimeout; PostgreSQL's refusal names the host first.
    ("Caused by: org.apache.spark.SparkException: Could not execute broadcast in 300 secs. You can increase the "
     "timeout for broadcasts via spark.sql.broadcastTimeout", Category.TIMEOUT),
    ("org.postgresql.util.PSQLException: Connection to billing-prod.cluster-ro.eu-west-1.rds.amazonaws.com:5432 "
     "refused. Check that the hostname and port are correct", Category.DEPENDENCY_UNAVAILABLE),
    # Spark asking YARN for a bigger container than the cluster's largest (takabow/cdsw-demo-env#7).
    ("java.lang.IllegalArgumentException: Required executor memory (16384+1638 MB) is above the max threshold "
     "(12288 MB) of this cluster! Please check the values of 'yarn.scheduler.maximum-allocation-mb'",
     Category.CONFIGURATION),
    # An entrypoint the kernel cannot run for want of its interpreter (CRLF line endings): the image's content.
    ("standard_init_linux.go:228: exec user process caused: no such file or directory", Category.CODE_ERROR),
    ("exec /entrypoint.sh: no such file or directory", Category.CODE_ERROR),
    ("standard_init_linux.go:228: exec user process caused: exec format error", Category.CONFIGURATION),
    # Arrow's S3 file system refused (apache/iceberg-python#1501); Hive's strict mode for dynamic partitions.
    ("OSError: When reading information for key 'claims/data/x.parquet' in bucket 'lakehouse': AWS Error "
     "ACCESS_DENIED during HeadObject operation: No response body.", Category.PERMISSION_DENIED),
    ("FAILED: SemanticException [Error 10096]: Dynamic partition strict mode requires at least one static partition "
     "column. To turn this off set hive.exec.dynamic.partition.mode=nonstrict", Category.CONFIGURATION),
    # EMR's own words for a Spot price over the group's maximum; a cluster's subnets in two VPCs (a
    # StateChangeReason in a Step Functions cause); a gzip archive cut short (lintool/warcbase#198).
    ("INTERNAL_ERROR — The primary instance failed to launch: the Spot price for instance type m5.2xlarge in "
     "us-east-1b increased above the maximum Spot price specified for the instance group.", Category.CAPACITY),
    ('cause: StateChangeReason: {"Code": "VALIDATION_ERROR", "Message": "The subnets subnet-0b41e7c9, subnet-0e92a5c1 '
     'specified for the cluster are not all in the same VPC."}', Category.CONFIGURATION),
    ("Caused by: java.io.EOFException: Unexpected end of ZLIB input stream", Category.BAD_DATA),
    # awslabs/aws-solutions-constructs#196: a streaming checkpoint on s3:// where only s3a:// is set up.
    ("org.apache.hadoop.fs.UnsupportedFileSystemException: fs.AbstractFileSystem.s3.impl=null: No AbstractFileSystem "
     "configured for scheme: s3", Category.CONFIGURATION),
    # A program the image or host does not have (nextflow-io/nextflow#1064: the AMI without the AWS CLI).
    ("bash: line 1: /home/ec2-user/miniconda/bin/aws: No such file or directory", Category.CONFIGURATION),
    ("bash: aws: command not found", Category.CONFIGURATION),
    ("/bin/sh: 1: spark-submit: not found", Category.CONFIGURATION),
    # ... and a file a program reads that is not there stays an input.
    ("cat: /data/in.csv: No such file or directory", Category.MISSING_INPUT),
    # Hive's parser on a reserved word used as a column name (openedx-unsupported/edx-analytics-pipeline#127).
    ("FAILED: ParseException line 3:4 Failed to recognize predicate 'date'. Failed rule: 'identifier' in column "
     "specification", Category.CODE_ERROR),
    # A release's package repository that was retired (Yelp/mrjob#1246).
    ("W: Failed to fetch http://http.us.debian.org/debian/dists/squeeze/main/binary-amd64/Packages.gz  404  Not Found "
     "[IP: 64.50.236.52 80]", Category.DEPENDENCY_UNAVAILABLE),
    # Spark 3's calendar change: the fix is the rebase setting the message names (SPARK-31404).
    ("Caused by: org.apache.spark.SparkUpgradeException: You may get a different result due to the upgrading to "
     "Spark >= 3.0: writing dates before 1582-10-15 or timestamps before 1900-01-01T00:00:00Z into Parquet INT96 "
     "files can be dangerous", Category.CONFIGURATION),
    # An Iceberg table read through the session catalog (Hive's client) instead of the Iceberg catalog.
    ("Caused by: InvalidObjectException(message:StorageDescriptor cannot be null for table: events (Service: null; "
     "Status Code: 0; Error Code: null; Request ID: null; Proxy: null))", Category.CONFIGURATION),
    # An Avro schema setting that names a data file (apache/hudi#4641): the schema is no JSON. A name the schema
    # derived from the data refuses is not that.
    ("Caused by: org.apache.avro.SchemaParseException: com.fasterxml.jackson.core.JsonParseException: Unrecognized "
     "token 'Objavro': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
     Category.CONFIGURATION),
    # A temporary table staged among the workgroup's query results (aws/aws-sdk-pandas#2502): the location; a
    # data file of another format is still the data.
    ("HIVE_BAD_DATA: s3://aws-athena-query-results-123456789012-eu-west-1/primary/1ace7d3b-feef-49cd-a488-"
     "da286e2ae387.csv is not a valid Parquet File.", Category.CONFIGURATION),
    ("HIVE_BAD_DATA: s3://lake/orders/dt=2024-05-01/part-00000.csv is not a valid Parquet File.", Category.BAD_DATA),
    # numpy's whole number of GiB keeps its point (chanzuckerberg/single-cell-data-portal#4464); Spark's task over
    # its RPC message limit, whose message says which setting to raise (softeerbootcamp-8th/DE_team3-...#248).
    ("Unable to allocate 267. GiB for an array with shape (1169213, 30639) and data type int64",
     Category.OUT_OF_MEMORY),
    ("org.apache.spark.SparkException: Job aborted due to stage failure: Serialized task 0:0 was 171945107 bytes, "
     "which exceeds max allowed: spark.rpc.message.maxSize (134217728 bytes). Consider increasing "
     "spark.rpc.message.maxSize or using broadcast variables for large values.", Category.CONFIGURATION),
    # The Data Catalog's versions of one table, archived at each commit (apache/iceberg#5965).
    ("software.amazon.awssdk.services.glue.model.ResourceNumberLimitExceededException: Number of TABLE_VERSION "
     "resources exceeds the limit 100000 per TABLE (Service: Glue, Status Code: 400)", Category.CONFIGURATION),
])
def test_start_up_and_argument_failures(text: str, category: Category) -> None:
    assert diagnose(book(text), "emr").cause.category == category


def test_a_file_missing_from_a_nodes_temporary_directory_is_not_surely_missing_input() -> None:
    # Beam's job server staged its artifacts in /tmp on its own host; the task managers on the other nodes do not
    # have them (apache/beam#32743). No input of the step is missing: never high confidence.
    cause = diagnose(book("java.io.FileNotFoundException: /tmp/beam-artifact-staging/5b2e8d1c9f4a/3-0:ref_Environment_"
                          "default-submission_environment_dependencies.txt (No such file or directory)"), "emr").cause
    assert cause.confidence != Confidence.HIGH
    # An input the step reads that is not there stays so.
    missing = diagnose(book("java.io.FileNotFoundException: File s3://acme-raw/orders/dt=2025-03-05 does not exist."),
                       "emr").cause
    assert (missing.category, missing.confidence) == (Category.MISSING_INPUT, Confidence.HIGH)


@pytest.mark.parametrize(("lines", "category"), [
    # A workflow's failure-mail action that could not reach its SMTP host, after the error it was reporting
    # (apache/hop#3814): that error is the cause.
    ((("2024-04-16T02:00:49Z", "2024/04/16 02:00:49 - dwh_nightly - ERROR: org.apache.hop.core.exception.HopException: "
       "You need to specify a workflow run configuration to execute this workflow"),
      ("2024-04-16T02:00:50Z", "2024/04/16 02:00:50 - Mail failure - ERROR: Problem while sending message: "
       "jakarta.mail.MessagingException: Could not connect to SMTP host: smtp.internal.example.com, port: 25")),
     Category.CONFIGURATION),
    # A notice that failed with nothing failed before it in its log is the failure (a mailer job).
    ((("2024-04-16T02:00:49Z", "2024/04/16 02:00:49 - digest - INFO: 1,204 recipients"),
      ("2024-04-16T02:00:50Z", "2024/04/16 02:00:50 - digest - ERROR: Problem while sending message: "
       "jakarta.mail.MessagingException: Could not connect to SMTP host: smtp.internal.example.com, port: 25")),
     Category.DEPENDENCY_UNAVAILABLE),
])
def test_a_failure_notice_that_could_not_be_sent_is_not_the_failure_it_reports(
        lines: tuple[tuple[str, str], ...], category: Category) -> None:
    b = EvidenceBook()
    for time, text in lines:
        b.add("log", "/aws/batch/job", text, time)
    assert diagnose(b, "batch").cause.category == category


def test_a_python_warning_is_no_fatal_line() -> None:
    # numpy's RuntimeWarning says "invalid value": a warning, not the data's fault; the Batch timeout decides.
    assert is_weak_line("/usr/local/lib/python3.12/site-packages/imap/mag_l1d_data.py:412: RuntimeWarning: invalid "
                        "value encountered in divide")
    b = book("mag_l1d_data.py:412: RuntimeWarning: invalid value encountered in divide")
    b.add("job", "batch:DescribeJobs", "Attempt 1 of 1: exit code 143 — status reason: Job attempt duration exceeded "
          "timeout", status_reason="Job attempt duration exceeded timeout")
    assert diagnose(b, "batch").cause.category == Category.TIMEOUT


def test_a_connection_retried_until_the_time_limit_is_the_cause_the_limit_ended() -> None:
    # awslabs/aws-lambda-redshift-loader#150: a private subnet with no route to DynamoDB; the loader retried its
    # config lookup until the run's timeout.
    b = EvidenceBook()
    b.add("job", "glue:GetJobRun", "Run TIMEOUT after 30 min: Job run timed out", status="TIMEOUT")
    b.add("log", "/aws-glue/python-jobs/error", 'WARNING:root:get_config attempt 7 of 8 failed: Connect timeout on '
          'endpoint URL: "https://dynamodb.us-east-1.amazonaws.com/"; retrying in 30s (×7, last 09:29:53)', count=7)
    d = signature_set().diagnose(b.items, "glue", {"job_name": "loader", "run_id": "jr_1"})
    assert (d.cause.category, d.cause.confidence) == (Category.DEPENDENCY_UNAVAILABLE, Confidence.MEDIUM)
    # Retried twice only, it is a red herring beside the limit.
    b.items[1].facts["count"] = 2
    assert signature_set().diagnose(b.items, "glue", {"job_name": "loader"}).cause.category == Category.TIMEOUT


def test_an_exception_a_lambda_raised_is_not_high_confidence_by_itself() -> None:
    b = EvidenceBook()
    b.add("error", "lambda:Invoke", "KeyError: 'Name'", error_type="KeyError", error_message="'Name'")
    d = signature_set().diagnose(b.items, "lambda", {"function_name": "fn"})
    assert (d.cause.category, d.cause.confidence) == (Category.CODE_ERROR, Confidence.MEDIUM)


def test_a_date_that_does_not_parse_is_still_the_data() -> None:
    d = diagnose(book("ValueError: time data '2024-13-45' does not match format '%Y-%m-%d'"), "batch")
    assert d.cause.category != Category.CONFIGURATION


def test_an_athena_column_the_table_lacks_is_not_certainly_the_query() -> None:
    # opencost/opencost#3076: the export had stopped writing the column; the query was right.
    d = diagnose(book("COLUMN_NOT_FOUND: line 1:68: Column 'line_item_resource_id' cannot be resolved or requester "
                      "is not authorized to access requested resources"), "athena")
    assert (d.cause.category, d.cause.confidence) == (Category.CODE_ERROR, Confidence.MEDIUM)


def test_a_connection_error_that_says_the_login_failed_is_a_permission_problem() -> None:
    d = diagnose(book("ConnectionError: Login failed for user 'etl'. ELOGIN"), "lambda")
    assert d.cause.category == Category.PERMISSION_DENIED


def test_exit_code_137_alone_is_not_high_confidence() -> None:
    # SIGKILL: the memory limit most of the time, but also a stop or a shutdown.
    d = diagnose(book("log_router: ExitCode 137 (SIGKILL)"), "stepfunctions")
    assert d.cause.category == Category.OUT_OF_MEMORY and d.cause.confidence != Confidence.HIGH

# ---- red herrings ------------------------------------------------------------------------------------

def test_a_retried_warning_ranks_below_the_fatal_line() -> None:
    d = diagnose(book(
        "WARN S3AFileSystem: Retrying request after ThrottlingException: Rate exceeded (attempt 1/10)",
        "INFO retry succeeded",
        "ERROR Executor: Exception in task 0.0 in stage 1.0: java.lang.NumberFormatException: "
        "For input string: \"n/a\"",
    ), "emr")
    assert d.cause.category == Category.BAD_DATA


def test_a_call_the_client_counts_its_retries_of_gives_way_to_what_ended_the_run() -> None:
    # An essential X-Ray sidecar that could not find its region took the task down; the app's lease-table call was
    # throttled once and retried (aws/aws-xray-daemon#40): the sidecar's setup, not the throttle.
    b = book(
        "2020-02-06 14:22:17.402  WARN 1 --- [main] c.a.orders.config.AwsConfig : DynamoDB lease table leases: "
        "DescribeTable throttled (ThrottlingException: Rate exceeded), retry 1/5 in 200 ms",
        "2020-02-06T14:22:17Z [Error] Cannot fetch region variable from config file, environment variables and ec2 "
        "metadata.")
    b.add("task", "ecs:DescribeTasks", "Container xray-daemon (essential) exited with code 1 (application error)",
          exit_code=1, essential=True)
    assert diagnose(b, "ecs").cause.category == Category.CONFIGURATION


LOST_NODE = ("21/06/14 03:33:12 ERROR YarnScheduler: Lost executor 4 on ip-10-80-6-88: Container marked as failed: "
             "container_1623639215604_0002_01_000005 on host: ip-10-80-6-88. Exit status: -100. Diagnostics: "
             "Container released on a *lost* node.")


def test_an_executor_lost_with_its_node_is_the_cause_only_when_nothing_else_is() -> None:
    # Spark re-runs the lost executor's tasks: a step that failed later on an S3 403 failed for the 403.
    alone = diagnose(book(LOST_NODE, "ERROR TaskSetManager: Task 4 in stage 1.0 failed 4 times; aborting job"), "emr")
    assert alone.cause.category == Category.CAPACITY
    later = diagnose(book(LOST_NODE, "Caused by: com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied "
                                     "(Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)"), "emr")
    assert later.cause.category == Category.PERMISSION_DENIED


def test_a_warning_alone_is_never_high_confidence() -> None:
    d = diagnose(book("WARN retrying after ConnectException: Connection refused (attempt 2 of 5)"), "ecs")
    assert d.cause.confidence != Confidence.HIGH


def test_a_signature_seen_only_on_a_retried_error_is_not_high_confidence() -> None:
    # dbt-athena's debug line of a throttled statement it retried, then the model's own failure that no rule knows
    # (dbt-labs/dbt-adapters#1221): the throttle may be the answer, never a certain one.
    d = diagnose(book("03:00:56 [debug] Athena adapter: Error running SQL: ThrottlingException: Rate exceeded; "
                      "retrying in 1.2s",
                      "03:02:59 [info ] 3 of 9 ERROR creating sql incremental model marts.fct_page_views"), "ecs")
    assert (d.cause.category, d.cause.confidence) == (Category.THROTTLING, Confidence.MEDIUM)


def earlier_attempt_book(earlier: str, final: str) -> EvidenceBook:
    b = EvidenceBook()
    b.add("history", "states:GetExecutionHistory", f"State 'Merge' (athena:startQueryExecution.sync) failed with "
          f"TaskFailed: States.TaskFailed after 3 attempts — cause: {final}", error="States.TaskFailed", cause=final)
    b.add("history", "states:GetExecutionHistory", f"An earlier attempt of state 'Merge' failed with TaskFailed: "
          f"{earlier}", error=earlier.split(" ")[0], attempt="earlier")
    return b


def test_what_an_earlier_attempt_died_of_gives_way_to_how_the_last_one_failed() -> None:
    # The state's Retry got past a throttled start; the query then ran and failed on its data: the throttle is a red
    # herring (classmethod's Athena MERGE article, a blind scenario of the repo).
    final = ("StateChangeReason: MERGE_TARGET_ROW_MULTIPLE_MATCHES: One MERGE target table row matched more than "
             "one source row")
    d = diagnose(earlier_attempt_book("Athena.TooManyRequestsException — cause: Rate exceeded", final))
    assert d.cause.category == Category.BAD_DATA
    # With nothing known of the last failure, the earlier attempt's throttle is all there is: said, not certain.
    d = diagnose(earlier_attempt_book("Athena.TooManyRequestsException — cause: Rate exceeded",
                                      "StateChangeReason: SOMETHING_NEW: the engine gave up"))
    assert (d.cause.category, d.cause.confidence) == (Category.THROTTLING, Confidence.MEDIUM)


def test_an_earlier_attempts_throttle_gives_way_to_the_last_attempts_own_error() -> None:
    # A Lambda task throttled once, then retried into the function's own failure to load a native library
    # (kotify/cloud-print-utils#29: an x86 layer on an arm64 function): the throttle was got past.
    b = EvidenceBook()
    error = ("OSError: cannot load library 'pango-1.0-0': pango-1.0-0: cannot open shared object file: No such file "
             "or directory")
    b.add("history", "states:GetExecutionHistory", f"State 'RenderPdf' (lambda:invoke) failed with TaskFailed: "
          f"OSError after 2 attempts — cause: errorMessage: {error}", error="OSError", cause=error)
    b.add("history", "states:GetExecutionHistory", "An earlier attempt of state 'RenderPdf' failed with TaskFailed: "
          "Lambda.TooManyRequestsException — cause: Rate Exceeded. (Service: Lambda, Status Code: 429)",
          error="Lambda.TooManyRequestsException", attempt="earlier")
    b.add("error", "lambda (from the task's cause)", error, error_type="OSError", child=True, child_source="lambda")
    b.add("log", "/aws/lambda/fn", f"[ERROR] {error}")
    cause = diagnose(b).cause
    # The function's own error is quoted and cited; the throttle the Retry got past is not.
    assert cause.category != Category.THROTTLING
    assert "cannot load library 'pango-1.0-0'" in cause.explanation
    assert cause.evidence_ids[0] in ("E3", "E4") and "E2" not in cause.evidence_ids


def test_the_shells_report_of_an_abort_gives_way_to_what_the_program_said_before_it() -> None:
    # TensorFlow's fatal check on a GPU with an uncorrectable ECC error, then the shell's "Aborted (core dumped)"
    # (nagadit/DeepFaceLab_Linux#89): the faulty GPU, not the program's code.
    d = diagnose(book("2024-03-05 02:14:50.148771: F tensorflow/stream_executor/lib/statusor.cc:34] Attempting to "
                      "fetch value instead of handling error Internal: failed call to cuDevicePrimaryCtxRetain: "
                      "CUDA_ERROR_ECC_UNCORRECTABLE",
                      "/opt/app/run_embed.sh: line 31:    17 Aborted                 (core dumped) python "
                      "/opt/app/embed.py --shard 3"), "batch")
    assert d.cause.category == Category.CAPACITY
    # V8's heap limit, then the abort in a French locale's words (evansiroky/gtfs-sequelize#5).
    d = diagnose(book("FATAL ERROR: CALL_AND_RETRY_2 Allocation failed - process out of memory",
                      "Abandon (core dumped)"), "batch")
    assert d.cause.category == Category.OUT_OF_MEMORY
    # Alone, the abort is still the program's own crash.
    d = diagnose(book("/opt/app/run.sh: line 31:    17 Aborted                 (core dumped) python /opt/app/x.py"),
                 "batch")
    assert d.cause.category == Category.CODE_ERROR


def test_a_summary_logged_at_info_gives_way_to_why_logged_before_it() -> None:
    # A program whose every line is INFO (a Lambda relaying ffmpeg's stderr): FFmpeg's "Could not write header"
    # follows the muxer's reason (jaburjak.cz/posts/ffmpeg-pipe-mp4), as it would on fatal lines.
    b = EvidenceBook()
    for text in ("[INFO]\t2023-11-20T10:19:47.250Z\t6f2d8a41\tffmpeg: [mp4] muxer does not support non-seekable output",
                 "[INFO]\t2023-11-20T10:19:47.251Z\t6f2d8a41\tffmpeg: Could not write header for output file #0 "
                 "(incorrect codec parameters ?): Invalid argument"):
        b.add("log", "/aws/lambda/fn", text)
    hit, ev = signature_set().classify(b.items)
    assert (hit.category, "non-seekable" in ev.text) == (Category.CODE_ERROR, True)


def test_a_package_julia_could_not_precompile_gives_way_to_why() -> None:
    # A depot mounted read-only (JuliaLang/Compat.jl#165): "Failed to precompile" summarises the line before it.
    b = EvidenceBook()
    for text in ('Cannot open cache file "/opt/julia_packages/.julia/lib/v0.5/Compat.ji.4Ml4Xo" for writing.',
                 "ERROR: LoadError: LoadError: Failed to precompile Compat to /opt/julia_packages/.julia/lib/v0.5/"
                 "Compat.ji"):
        b.add("log", "/ecs/forecast", text)
    hit, ev = signature_set().classify(b.items)
    assert (hit.category, "Cannot open cache file" in ev.text) == (Category.CONFIGURATION, True)


def test_a_local_server_the_work_could_not_reach_gives_way_to_why_it_did_not_start() -> None:
    # A job that starts Elasticsearch on its own host and polls it: the node refused to start on the host's file
    # descriptor limit (awslabs/amazon-eks-ami#234), so every poll of localhost:9200 was refused.
    d = diagnose(book("curl: (7) Failed to connect to localhost port 9200: Connection refused",
                      "ERROR: [1] bootstrap checks failed [1]: max file descriptors [4096] for elasticsearch process "
                      "is too low, increase to at least [65536]",
                      "curl: (7) Failed to connect to localhost port 9200: Connection refused"), "batch")
    assert d.cause.category == Category.CONFIGURATION
    assert d.cause.evidence_ids[0] == "E2" and "max file descriptors [4096]" in d.cause.explanation


@pytest.mark.parametrize(("line", "weak"), [
    ("WARN S3AFileSystem: Retrying request after ThrottlingException", True),
    ("Retrying in 5 seconds (attempt 2/5): connection refused", True),
    ("ERROR giving up after 5 attempts: connection refused", False),
    # The last of its attempts is the failure itself; an attempt with more to come is retried.
    ("Attempt 3 of 3: exit code 1 — status reason: Essential container in task exited", False),
    ("03:02:55 [info ] Retrying query (attempt 2 of 6) after 2.35s", True),
    ("java.lang.OutOfMemoryError: Java heap space", False),
    # Logged at a routine level: a cache miss, not a missing input.
    ("17/06/09 20:11:07 INFO spark.CacheManager: Partition rdd_42_1 not found, computing it", True),
    ("[DEBUG]\t2024-03-14T05:00:03.714Z\tFile not found in cache, fetching s3://bucket/key", True),
    ("ERROR Executor: Exception in task 0.0: java.io.FileNotFoundException: No such file or directory", False),
    # Something not found that the program does without: the slower path it took, not the failure (dbt's
    # notice before every full parse, at no level of its own).
    ("11:57:08  Unable to do partial parsing because saved manifest not found. Starting full parse.", True),
    ("config file /etc/app.yaml not found, using defaults", True),
    ("Repo card metadata block was not found. Setting CardData to empty.", True),
    # A Go program's note of a call it retried (qax-os/excelize#1877's importer): a throttle got past, not the failure.
    ("2024/04/16 20:17:43 s3 GetObject: retry attempt 1 after operation error S3: GetObject, https response error "
     "StatusCode: 503, RequestID: 7QZK4M2XH9B1C8VD, api error SlowDown: Please reduce your request rate.", True),
    ("ERROR: table events not found. Aborting.", False),
    # A call whose retries were over, that the program passed over until its next pass (mattclay/aws-terminator).
    ("[WARNING]\t2022-11-29T06:07:11.376Z\tThrottling: An error occurred (RequestLimitExceeded) when calling the "
     "DescribeImages operation (reached max retries: 4): Request limit exceeded. -- will retry Ec2Image on next pass",
     True),
    ("ERROR Throttling: An error occurred (RequestLimitExceeded) (reached max retries: 4): Request limit exceeded.",
     False),
])
def test_weak_lines(line: str, weak: bool) -> None:
    assert is_weak_line(line) is weak


# ---- quotes -------------------------------------------------------------------------------------------

GLUE_RECORD = ('{"level":"ERROR","message":"Parquet column cannot be converted in file s3://bucket/raw/orders/2024/'
               '06/01/part-00000-5f2c9a7e-1b3d-4c8e-9f0a-1234567890ab-c000.snappy.parquet. Column: [amount], '
               'Expected: double, Found: INT64"}')


def test_a_quote_keeps_the_decisive_fields_and_drops_json_debris() -> None:
    i = GLUE_RECORD.index("Parquet column")
    q = quote(GLUE_RECORD, i, i + len("Parquet column cannot be converted"))
    assert q.startswith("Parquet column cannot be converted")
    assert q.endswith("Column: [amount], Expected: double, Found: INT64")
    assert '"}' not in q and '"message"' not in q


def test_a_quote_of_a_cut_evidence_line_marks_the_cut_once_and_cuts_no_word() -> None:
    # microsoft/onnxruntime#20559: the evidence keeps the line's head and its decisive end ("head … tail").
    line = ("onnxruntime.capi.onnxruntime_pybind11_state.Fail: [ONNXRuntimeError] : 1 : FAIL : Load model from "
            "positional_encoding_poly.onnx failed:/onnxruntime_src/onnxruntime/core/graph/model.cc:179 "
            "onnxruntime::Model::Model(onnx::ModelProto&&, const onnxruntime::PathString&, const "
            "onnxruntime::IOnnxRuntimeOpSchemaRegistryList*, const onnxruntime::logging::Logger&, const "
            "onnxruntime::ModelOptions&) Unsupported model IR version: 10, max supported IR version: 9")
    [kept] = compact([line]).lines
    at = kept.text.index("Unsupported")
    said = quote(kept.text, at, at + len("Unsupported model IR version"))
    assert "Unsupported model IR version: 10, max supported IR version: 9" in said
    assert "……" not in said and not said.startswith("… …")
    assert set(said.replace("…", " ").split()) <= set(line.split())  # every word whole


def test_a_quote_keeps_the_bracket_that_closes_one_it_opened() -> None:
    line = "Query 20200316_041146_00013_r6g3w failed: Failed connecting to Hive metastore: [localhost:9083]"
    assert quote(line, 0, len(line)).endswith("[localhost:9083]")
    # A bracket it never opened is debris.
    assert quote("list of items]", 0, 4) == "list of items"
    # A tag the line opens with stays whole (samtools' "[bam_sort_core] truncated file"); a bracket it never
    # closes does not.
    assert quote("[bam_sort_core] truncated file. Aborting.", 0, 5) == "[bam_sort_core] truncated file. Aborting."
    assert quote('["abc', 0, 5) == "abc"
    # An apostrophe inside a word opens no quote: the value's closing quote stays (Sqoop, apache/sqoop#5).
    line = "java.lang.RuntimeException: Can't parse input data: 'NL'"
    assert quote(line, 0, len(line)).endswith("Can't parse input data: 'NL'")


def test_a_long_line_is_cut_at_word_boundaries_around_the_match() -> None:
    line = ("2024-06-01T10:00:00Z ERROR " + "contextword " * 20 + "failed: Parquet column cannot be converted. "
            "Column: [amount], Expected: double, Found: INT64 " + "trailingword " * 30)
    i = line.index("Parquet column")
    q = quote(line, i, i + 30, limit=160)
    assert len(q) <= 162
    assert "Column: [amount], Expected: double, Found: INT64" in q
    words = {w.strip("…") for w in q.split()}
    assert words <= set(line.split()) | {""}  # no word cut in two


def test_the_diagnosis_quote_shows_the_schema_report() -> None:
    d = diagnose(book(GLUE_RECORD), "glue")
    assert d.cause.category == Category.BAD_DATA
    assert "Column: [amount], Expected: double, Found: INT64" in d.cause.explanation
    assert '"}' not in d.cause.explanation


# ---- Lambda bookkeeping ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "bookkeeping"), [
    ("START RequestId: 3df5e64a-0863-11e8-903f-919b29535603 Version: $LATEST", True),
    ("END RequestId: 3df5e64a-0863-11e8-903f-919b29535603", True),
    ("REPORT RequestId: 3df5 Duration: 3.2 ms Billed Duration: 4 ms Memory Size: 128 MB Max Memory Used: 64 MB",
     True),
    # A REPORT line at the memory limit is evidence (out of memory), not bookkeeping.
    ("REPORT RequestId: 3df5 Duration: 3.2 ms Billed Duration: 4 ms Memory Size: 128 MB Max Memory Used: 128 MB",
     False),
    ("[ERROR] KeyError: 'amount' RequestId: 3df5", False),
    # Hive's CLI after a statement: how long it took, never why it failed (trinodb/trino#3327's step).
    ("Time taken: 1.214 seconds", True),
    ("Time taken: 0.09 seconds, Fetched: 3 row(s)", True),
    ("Time taken waiting for the lock: 3600 seconds exceeded the limit", False),
])
def test_bookkeeping_lines(line: str, bookkeeping: bool) -> None:
    assert is_bookkeeping(line) is bookkeeping


def test_compaction_leaves_bookkeeping_out() -> None:
    result = compact([
        "START RequestId: 3df5e64a-0863-11e8-903f-919b29535603 Version: $LATEST",
        "[ERROR] KeyError: 'amount'",
        "END RequestId: 3df5e64a-0863-11e8-903f-919b29535603",
        "REPORT RequestId: 3df5e64a-0863-11e8-903f-919b29535603 Duration: 3.2 ms Billed Duration: 4 ms "
        "Memory Size: 128 MB Max Memory Used: 64 MB",
    ])
    rendered = result.render()
    assert "KeyError" in rendered
    assert "RequestId" not in rendered


# ---- the corpus: a regression fails here -------------------------------------------------------------------

def _rows(name: str) -> list[dict[str, Any]]:
    rows = corpus_rows(name)
    assert rows, f"{name}: no corpus file, or an empty one"
    return rows


@functools.cache
def _answers(name: str) -> tuple[tuple[str, bool, bool], ...]:
    """(rule, right, high confidence) of each message of one corpus file, diagnosed once per test session."""
    sigs = signature_set()
    out = []
    for row in _rows(name):
        d = diagnose_row(sigs, row)
        out.append((d.rule, d.cause.category.value == row["category"], d.cause.confidence == Confidence.HIGH))
    return tuple(out)


def _score(*names: str) -> tuple[float, int]:
    answers = [a for name in names for a in _answers(name)]
    right = sum(ok for _, ok, _ in answers)
    wrong_high = sum(high and not ok for _, ok, high in answers)
    return right / len(answers), wrong_high


def test_corpus_rows_are_well_formed() -> None:
    categories = {c.value for c in Category}
    seen: set[str] = set()
    assert {p.name for p in corpus_dir().glob("*.jsonl")} == {*TUNING, HELD_OUT}  # no file left out of both
    for name in (*TUNING, HELD_OUT):
        rows = _rows(name)
        assert rows
        for row in rows:
            assert set(row) == {"message", "category", "source", "service", "family"}, row
            assert row["category"] in categories  # "unknown": the message names no cause at all
            assert row["message"].strip() and row["source"].strip()
        sources = {r["source"] for r in rows}
        if name == "documented.jsonl":
            continue  # AWS's reference pages, which any batch may also quote
        if name != "catalog.jsonl":
            assert not seen & sources, name  # each batch was collected from sources no earlier file uses
        seen |= sources
    assert len(_rows("catalog.jsonl")) >= 400
    assert all(len(_rows(name)) >= 15 for name in FIRST_SCORE)  # a batch big enough to score
    # Each first score was taken on the batch as it is now: no row added or dropped since.
    assert {name: len(_rows(name)) for name in FIRST_SCORES} == {name: f.n for name, f in FIRST_SCORES.items()}


def test_tuning_corpus_accuracy_and_calibration() -> None:
    accuracy, wrong_high = _score(*TUNING)
    assert accuracy >= 0.9
    assert wrong_high <= 5  # of 1,459: 1 in 290


@pytest.mark.parametrize("name", sorted(FIRST_SCORE))
def test_no_batch_falls_below_its_first_score(name: str) -> None:
    accuracy, _ = _score(name)
    assert accuracy >= FIRST_SCORE[name]


def test_only_a_specific_signature_answers_with_high_confidence() -> None:
    # A class rule maps a whole family to one cause, the wording is a guess: on failures the rules had never
    # seen, class rules at high confidence were wrong about one time in four, specific signatures one in thirty.
    kinds = {rule.split(":")[0] for name in (*TUNING, HELD_OUT) for rule, _, high in _answers(name) if high}
    assert kinds and not kinds & {"class", "terms"}


def test_every_rule_that_answers_with_high_confidence_is_right_nine_times_in_ten() -> None:
    # Calibration per rule: a signature or class rule whose answers on the labelled corpus are wrong more
    # than one time in ten says "medium" (its words also mark other causes), whatever it was written as. One
    # wrong answer among a rule's few high ones is no evidence of that: it takes two.
    answers: dict[str, list[bool]] = {}
    for rule, ok, high in (a for name in TUNING for a in _answers(name)):
        if high:
            answers.setdefault(rule, []).append(ok)
    loose = {rule: f"{sum(ok)}/{len(ok)}" for rule, ok in answers.items()
             if ok.count(False) > 0.1 * len(ok) and ok.count(False) >= 2}
    assert not loose, loose


def test_a_change_since_the_last_good_run_explains_only_a_failure_nothing_names() -> None:
    # The job's definition changed since its last good run; the run then died of memory. The exception names
    # the cause; the change is the story only when the evidence names none ("Command failed with exit code 1").
    def with_change(*texts: str) -> EvidenceBook:
        b = book(*texts)
        b.add("change", "glue:GetJob", "Job daily definition last modified after the last good run started",
              aspect="definition")
        return b

    assert diagnose(with_change("Command failed with exit code 1",
                                "pyarrow.lib.ArrowMemoryError: malloc of size 1342177280 failed"),
                    "glue").cause.category == Category.OUT_OF_MEMORY
    d = diagnose(with_change("Command failed with exit code 1"), "glue")
    assert (d.rule, d.cause.category) == ("change-definition-then-failure", Category.CONFIGURATION)


def test_a_failure_right_after_the_role_changed_points_at_the_role() -> None:
    # restic/restic#1671: "301 response missing Location header" names no refusal; the job had moved to a new job
    # role without s3:GetBucketLocation. Only the role changed: the new role is the suspect.
    def with_change(fields: list[str], sentence: str) -> EvidenceBook:
        b = book("Fatal: unable to open config file: Stat: Head https://backups.s3.dualstack.us-east-1.amazonaws.com/"
                 "fileserver/config: 301 response missing Location header")
        b.add("change", "batch:ListJobs", f"Job backup backup:7 → backup:8: {sentence}", aspect="definition",
              fields=fields)
        return b

    d = diagnose(with_change(["job role"], "job role arn:aws:iam::123456789012:role/batch-default → "
                                           "arn:aws:iam::123456789012:role/restic-backup"), "batch")
    assert (d.rule, d.cause.category, d.cause.confidence) == ("change-role-then-failure", Category.PERMISSION_DENIED,
                                                              Confidence.MEDIUM)
    # ... the role and the image changed together: which one broke it is not known, the change is the story
    d = diagnose(with_change(["image", "job role"], "image …:1 → …:2; job role … → …"), "batch")
    assert (d.rule, d.cause.category) == ("change-definition-then-failure", Category.CONFIGURATION)
    # ... and a refusal of a named action is that refusal, whatever changed
    b = with_change(["job role"], "job role … → …")
    b.add("log", "/aws/batch/job",
          "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied")
    d = diagnose(b, "batch")
    assert (d.rule, d.cause.category) == ("batch-access-denied", Category.PERMISSION_DENIED)


def test_a_refusal_of_listing_a_bucket_to_a_copy_of_one_key_is_not_surely_a_permission() -> None:
    # S3 answers a copy from a source key that is not there with a refusal of s3:ListBucket when the caller may not
    # list the bucket (aws/aws-sdk-js-v3#6523): the key may be missing, so not high.
    text = ("State 'ArchiveDrop' (aws-sdk:s3:copyObject) failed with TaskFailed: S3.S3Exception — cause: User: arn:aws:"
            "sts::123456789012:assumed-role/ingest-role/TqWn is not authorized to perform: s3:ListBucket on resource: "
            '"arn:aws:s3:::acme-partner-drop" because no identity-based policy allows the s3:ListBucket action '
            "(Service: S3, Status Code: 403)")
    d = diagnose(book(text), "stepfunctions")
    assert (d.cause.category, d.cause.confidence) == (Category.PERMISSION_DENIED, Confidence.MEDIUM)
    assert "key that does not exist" in d.cause.explanation
    # ... while a refusal of listing to a listing is the permission it says
    d = diagnose(book(text.replace("aws-sdk:s3:copyObject", "aws-sdk:s3:listObjectsV2")), "stepfunctions")
    assert "key that does not exist" not in d.cause.explanation


def test_something_not_found_that_the_work_did_without_is_no_missing_input() -> None:
    # dbt at every clean start (dbt-labs/dbt-snowflake#640), then its real error.
    d = diagnose(book("06:00:42  Unable to do partial parsing because saved manifest not found. Starting full parse.",
                      "06:00:57  Encountered an error:", "    Incorrect padding"), "batch")
    assert d.cause.category != Category.MISSING_INPUT
    # ... no class rule reads the fallback as a missing input, while a plain "not found" still is one
    from incident_responder.analyze import signature_set
    from incident_responder.diagnosis.classes import classify

    classes = signature_set().classes
    assert classify("Unable to do partial parsing because saved manifest not found. Starting full parse.",
                    classes) is None
    hit = classify("Unable to do partial parsing because saved manifest not found.", classes)
    assert hit is not None and hit.category == Category.MISSING_INPUT


def test_a_transfer_the_log_says_it_retried_gives_way_to_what_ended_the_work() -> None:
    # ewels/AWS-iGenomes#6: a staging download reset and retried, then STAR refusing the index it got.
    b = EvidenceBook()
    for text in ("download failed: s3://ngi-igenomes/igenomes/GRCh37/STARIndex/Genome to STARIndex/Genome "
                 "(\"Connection broken: ConnectionResetError(104, 'Connection reset by peer')\", "
                 "ConnectionResetError(104, 'Connection reset by peer'))",
                 "Attempt 1 to stage s3://ngi-igenomes/igenomes/GRCh37/STARIndex/Genome failed, retrying in 10s",
                 "EXITING because of FATAL ERROR: Genome version: 20201 is INCOMPATIBLE with running STAR version: "
                 "2.7.2b"):
        b.add("log", "/aws/batch/job/nf-star", text)
    assert diagnose(b, "batch").cause.category == Category.CONFIGURATION
    # ... and without the retry line, the reset transfer is what failed the work
    del b.items[1]
    b.items[1].text = "EXITING because of FATAL ERROR: could not open genome file STARIndex/Genome"
    assert diagnose(b, "batch").cause.category == Category.DEPENDENCY_UNAVAILABLE


def test_a_retry_logged_before_the_failure_of_the_same_file_does_not_make_it_a_red_herring() -> None:
    # apache/iceberg#9618: a read of the table's current metadata retried, then the failure that ended it.
    b = EvidenceBook()
    meta = "s3://lakehouse/main/uel_raw/push_notification/metadata/01788-f6d8e6b6.metadata.json"
    b.add("log", "s3://logs/steps/s-1/stderr.gz", f"24/02/01 09:14:36 WARN S3InputStream: Initial get request failed "
          f"for {meta}, retrying", position=3)
    b.add("log", "s3://logs/steps/s-1/stderr.gz", "Exception in thread \"main\" org.apache.iceberg.exceptions."
          f"NotFoundException: Location does not exist: {meta}", position=9)
    assert diagnose(b, "emr").cause.category == Category.MISSING_INPUT


def test_the_root_of_a_trace_logged_as_lines_of_its_own_decides_over_the_wrapper_below_it() -> None:
    # A driver's stderr compacted into lines: the wrapper comes after its "Caused by:" (aws-samples/cdk-
    # microservices-labs#1).
    b = EvidenceBook()
    for text in ("Caused by: javax.net.ssl.SSLHandshakeException: No appropriate protocol (protocol is disabled or "
                 "cipher suites are inappropriate)",
                 ": com.mysql.jdbc.exceptions.jdbc4.CommunicationsException: Communications link failure"):
        b.add("log", "s3://logs/j-1/containers/application_1_0014/container_1_0014_01_000001/stderr.gz", text)
    assert diagnose(b, "emr").cause.category == Category.CONFIGURATION


def test_a_class_that_explains_its_causes_decides_over_them_when_they_are_lines_of_their_own() -> None:
    # An EMR step's stderr read line by line (abs-tudelft/sbd#41): Spark 3's SparkUpgradeException names the
    # setting, the DateTimeParseException chained under it is how its new parser failed, no bad data.
    b = EvidenceBook()
    uri = "s3://logs/j-3NQ8/steps/s-2KX7/stderr.gz"
    b.add("log", uri, "Caused by: org.apache.spark.SparkUpgradeException: You may get a different result due to the "
          "upgrading of Spark 3.0: Fail to parse '3/10/14:1:01' in the new parser. You can set "
          "spark.sql.legacy.timeParserPolicy to LEGACY", position=40)
    b.add("log", uri, "Caused by: java.time.format.DateTimeParseException: Text '3/10/14:1:01' could not be parsed at "
          "index 0", position=52, root=True)
    assert diagnose(b, "emr").cause.category == Category.CONFIGURATION
    del b.items[0]  # the parser's failure alone reads as data it could not parse
    assert diagnose(b, "emr").cause.category == Category.BAD_DATA


def test_a_connection_the_peer_closed_just_after_it_refused_the_work_is_the_refusals() -> None:
    # A NATS publisher (bitcoin-dev-project/peer-observer): the server refuses a message over its max_payload and
    # closes the connection; the client's next publish reads "Connection reset by peer".
    b = EvidenceBook()
    b.add("log", "/ecs/extractor/ecs/extractor/1a3c", "Maximum Payload Violation on connection [12]",
          "2025-01-19T11:27:44.611Z")
    b.add("log", "/ecs/extractor/ecs/extractor/1a3c", "2025-01-19T11:27:44.612Z ERROR [extractor] could not publish "
          "message in 'handle_net_message': Connection reset by peer (os error 104)", "2025-01-19T11:27:44.612Z")
    assert diagnose(b, "ecs").cause.category == Category.CONFIGURATION
    b.items[0].time = "2025-01-19T10:27:44.611Z"  # an hour before: no refusal of this connection's
    assert diagnose(b, "ecs").cause.category == Category.DEPENDENCY_UNAVAILABLE


def test_a_wrappers_check_for_the_output_its_tool_did_not_write_gives_way_to_the_tools_failure() -> None:
    # FastQC in a biocontainer without fonts dies after its analysis (bioconda/bioconda-recipes#7288); the job's
    # wrapper then finds no report.
    b = EvidenceBook()
    b.add("log", "/aws/batch/job/fastqc/default/1", 'Exception in thread "Thread-1" java.lang.Error: Probable fatal '
          "error:No fonts found.", "2018-01-17T15:09:35.321Z")
    b.add("log", "/aws/batch/job/fastqc/default/1", "[run_fastqc] expected report /data/out/RUN0412_S3_L001_R1_001_"
          "fastqc.html not found", "2018-01-17T15:09:35.921Z")
    assert diagnose(b, "batch").cause.category == Category.CONFIGURATION
    del b.items[0]  # alone, the missing report is what the wrapper says
    assert diagnose(b, "batch").cause.category == Category.MISSING_INPUT


def test_what_a_python_exception_led_to_gives_way_to_it() -> None:
    b = EvidenceBook()
    b.add("log", "/ecs/osm/extract/5b7d", "urllib3.exceptions.ResponseError: too many 503 error responses",
          "2026-07-19T05:05:52.101Z", root=True)
    b.add("log", "/ecs/osm/extract/5b7d", "KeyError: 'message'", "2026-07-19T05:05:52.393Z")
    assert diagnose(b, "ecs").cause.category == Category.DEPENDENCY_UNAVAILABLE
    b.items[0].time = "2026-07-19T04:10:00Z"  # an hour earlier: another trace, not this one's root
    assert diagnose(b, "ecs").cause.category == Category.CODE_ERROR


def test_an_error_of_a_spark_task_other_than_the_one_that_ended_the_job_is_a_red_herring() -> None:
    # Task 2 of stage 1 lost its connection and was retried; task 5 of stage 3 failed four times on bad bytes.
    b = book("24/02/13 01:31:36 ERROR Executor: Exception in task 2.0 in stage 1.0 (TID 9) | "
             "com.microsoft.sqlserver.jdbc.SQLServerException: Connection reset",
             "24/02/13 01:35:13 ERROR TaskSetManager: Task 5 in stage 3.0 failed 4 times; aborting job",
             "24/02/13 01:35:13 ERROR Executor: Exception in task 5.3 in stage 3.0 (TID 47) | java.sql."
             "BatchUpdateException: Batch entry 0 was aborted: ERROR: invalid byte sequence for encoding \"UTF8\": "
             "0x00")
    b.items[0], b.items[2] = b.items[2], b.items[0]  # the red herring last, nearest the failure
    assert diagnose(b, "glue").cause.category == Category.BAD_DATA


def test_log_lines_without_times_are_weighed_in_the_order_the_log_wrote_them() -> None:
    # A bootstrap action's stderr.gz has no times; its lines come most telling first. The script's syntax error
    # is the last line the log wrote, after a download that was reset and tried again (dask/dask-yarn#97).
    b = EvidenceBook()
    uri = "s3://logs/j-2F7K/node/i-0c4e/bootstrap-actions/1/stderr.gz"
    b.add("log", uri, "bootstrap-dask: line 246: syntax error: unexpected end of file", position=41)
    b.add("log", uri, "curl: (56) Recv failure: Connection reset by peer", position=12)
    assert diagnose(b, "emr").cause.category == Category.CODE_ERROR
    for ev in b.items:  # without the log's order, the later evidence item speaks for the log
        del ev.facts["position"]
    assert diagnose(b, "emr").cause.category == Category.DEPENDENCY_UNAVAILABLE


def test_a_broken_pipe_gives_way_to_the_error_of_the_program_that_closed_the_pipe() -> None:
    # "aws s3 cp <src> - | xz -d | zstd | aws s3 cp - <dst>": the upload failed first, and the download then wrote
    # into a closed pipe (aws/aws-cli#6120). The broken pipe is the last line, and still not the cause.
    b = book("upload failed: - to s3://archive/zstd/events.jsonl.zst An error occurred (InvalidArgument) when "
             "calling the UploadPart operation: Part number must be an integer between 1 and 10000, inclusive",
             "download failed: s3://archive/raw/events.jsonl.xz to - [Errno 32] Broken pipe")
    assert diagnose(b, "ecs").cause.category == Category.CONFIGURATION
    # Alone, a broken pipe is a connection the other side dropped, as it says; no more than medium.
    d = diagnose(book("psycopg2.OperationalError: could not send data to server: Broken pipe"), "ecs")
    assert (d.cause.category, d.cause.confidence) == (Category.DEPENDENCY_UNAVAILABLE, Confidence.MEDIUM)


def test_a_spark_task_attempt_whose_retry_finished_is_a_red_herring() -> None:
    # A Glue job: one task hit S3's SlowDown and its second attempt finished; the driver then failed on its own
    # (awslabs/athena-glue-service-logs#33). Compaction marks the lost attempt recovered; the 503 is no cause.
    lines = ["23/07/17 18:02:58 WARN TaskSetManager: Lost task 41.0 in stage 0.0 (TID 41) (172.31.40.12 executor "
             "3): com.amazonaws.services.s3.model.AmazonS3Exception: Please reduce your request rate. (Service: "
             "Amazon S3; Status Code: 503; Error Code: SlowDown; Request ID: 6Q1W3E5R7T9Y2U4I; Proxy: null)",
             "23/07/17 18:03:04 INFO TaskSetManager: Finished task 41.1 in stage 0.0 (TID 77) in 5911 ms on "
             "172.31.36.201 (executor 6) (64/64)",
             "Traceback (most recent call last):",
             '  File "/tmp/converter.py", line 88, in run',
             "TypeError: 'NoneType' object is not subscriptable"]
    result = compact(lines)
    lost = next(line for line in result.lines if "Lost task" in line.text)
    assert lost.recovered and not any(line.recovered for line in result.lines if line is not lost)
    b = EvidenceBook()
    for line in result.lines:
        b.add("log", "/aws-glue/jobs/error/jr_1", line.text, recovered=True) if line.recovered else b.add(
            "log", "/aws-glue/jobs/error/jr_1", line.text, position=line.position)
    assert diagnose(b, "glue").cause.category == Category.CODE_ERROR
    # When the task's attempts ran out instead, the lost attempt is what failed: S3 throttled the job.
    unrecovered = compact([lines[0], "23/07/17 18:03:30 ERROR TaskSetManager: Task 41 in stage 0.0 failed 4 times; "
                                     "aborting job"])
    assert not any(line.recovered for line in unrecovered.lines)
    b = EvidenceBook()
    for line in unrecovered.lines:
        b.add("log", "/aws-glue/jobs/error/jr_1", line.text, position=line.position)
    assert diagnose(b, "glue").cause.category == Category.THROTTLING


@pytest.mark.parametrize(("text", "category"), [
    # aws-parallelcluster#4011: the cluster's shared directory setting left at its NONE default.
    ("Error executing script: Shared directory /NONE does not exist", Category.CONFIGURATION),
    ("FileNotFoundError: [Errno 2] No such file or directory: '/None/config/settings.json'", Category.CONFIGURATION),
    ("An error occurred (NoSuchBucket) when calling the GetObject operation: The specified bucket does not exist "
     "(s3://undefined/exports/2024-03-14.csv)", Category.CONFIGURATION),
    ("cp: cannot stat '/data/${RUN_DATE}/input.csv': No such file or directory", Category.CONFIGURATION),
    # A real path that is not there is still a missing input.
    ("FileNotFoundError: [Errno 2] No such file or directory: '/data/2024-03-14/input.csv'", Category.MISSING_INPUT),
    ("An error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist.",
     Category.MISSING_INPUT),
])
def test_a_path_built_from_a_value_never_set_is_configuration(text: str, category: Category) -> None:
    assert diagnose(book(text), "batch").cause.category == category


def test_a_quote_of_an_error_code_in_an_sdk_trailer_shows_what_was_refused() -> None:
    line = ("ValidationException: 1 validation error detected: Value '[PartitionValueList(values=[2024-01-01]), "
            "Partit…' at 'partitionsToDelete' failed to satisfy constraint: Member must have length less than or "
            "equal to 25 (Service: AWSGlue; Status Code: 400; Error Code: ValidationException; Proxy: null)")
    at = line.rindex("ValidationException")
    q = quote(line, at, at + len("ValidationException"))
    assert "failed to satisfy constraint: Member must have length less than or equal to 25" in q
    assert len(q) <= 242


def test_a_warning_about_an_attempt_of_the_task_that_ended_the_job_is_the_failure() -> None:
    # Spark logs each lost attempt at WARN; the attempts of the task that "failed 4 times" are the failure itself.
    slow = ("17/06/09 20:12:04 WARN scheduler.TaskSetManager: Lost task 12.1 in stage 31.0 (TID 1519, 172.31.9.51, "
            "executor 3): com.amazonaws.services.s3.model.AmazonS3Exception: Please reduce your request rate. "
            "(Service: Amazon S3; Status Code: 503; Error Code: SlowDown)")
    d = diagnose(book(slow, "17/06/09 20:12:16 ERROR scheduler.TaskSetManager: Task 12 in stage 31.0 failed 4 times; "
                            "aborting job"), "glue")
    assert (d.cause.category, d.cause.confidence) == (Category.THROTTLING, Confidence.HIGH)
    # The same warning about another task, beside the one that ended the job: a red herring, at most medium.
    d = diagnose(book(slow, "17/06/09 20:12:16 ERROR scheduler.TaskSetManager: Task 40 in stage 31.0 failed 4 times; "
                            "aborting job"), "glue")
    assert d.cause.confidence != Confidence.HIGH


def test_yarns_diagnostics_in_a_client_report_logged_at_info_are_no_routine_line() -> None:
    assert is_weak_line("19/09/30 18:13:44 INFO Client: Partition rdd_42_39 not found, computing it")
    report = ("19/09/30 18:13:44 INFO Client: client token: N/A diagnostics: Application application_1_0001 failed 1 "
              "times due to AM Container for appattempt_1_0001_000001 exited with exitCode: -104 Diagnostics: "
              "Container [pid=11027] is running beyond physical memory limits.")
    assert not is_weak_line(report)


@pytest.mark.parametrize(("key_line", "category"), [
    # stackoverflow.com/questions/44779042: the key of an S3 event, passed on still URL-encoded.
    ("Could not read object from drop bucket: key=incoming/northwind/Northwind+Invoices+April+2026.csv",
     Category.CODE_ERROR),
    ("Reading s3://acme-drop/incoming/report%20april.csv", Category.CODE_ERROR),
    # A "+" of a time zone offset in a key is no encoding.
    ("Reading s3://acme-drop/exports/2024-03-14T00:00:00+00:00/part-0.csv", Category.MISSING_INPUT),
    # A path the code logged it works on, with no "key=" or bucket before it (aws-amplify/amplify-cli#2269) ...
    ("INFO\tGenerating thumbnail for protected/us-east-1%3Af2051234-5162-4d60/images/f1906a64.jpeg",
     Category.CODE_ERROR),
    # ... but not a signed URL, whose query is encoded by design.
    ("GET https://acme-drop.s3.amazonaws.com/incoming/a.csv?X-Amz-Credential=AKIAEXAMPLE%2F20240314%2Fus-east-1",
     Category.MISSING_INPUT),
])
def test_a_url_encoded_key_that_s3_does_not_have_is_the_codes_use_of_the_event(key_line: str,
                                                                               category: Category) -> None:
    b = book(key_line, "[ERROR] NoSuchKey: An error occurred (NoSuchKey) when calling the GetObject operation: The "
                       "specified key does not exist.")
    assert diagnose(b, "lambda").cause.category == category


@pytest.mark.parametrize(("error_type", "message", "category"), [
    # The taxonomy's code_error: a module the code imports is not in its package (aws-samples/aft-workshop-sample#18).
    ("Runtime.ImportModuleError", "Unable to import module 'validate': No module named 'jsonschema'",
     Category.CODE_ERROR),
    ("Runtime.UserCodeSyntaxError", "Syntax error in module 'app': invalid syntax (app.py, line 12)",
     Category.CODE_ERROR),
    # The handler setting names what the package does not hold: the function's configuration.
    ("Runtime.HandlerNotFound", "app.handler is undefined or not exported", Category.CONFIGURATION),
    ("Runtime.ImportModuleError", "Unable to import module 'lambda_function': No module named 'lambda_function'",
     Category.CONFIGURATION),
])
def test_a_lambda_that_cannot_start_is_its_code_unless_the_handler_setting_is_wrong(
        error_type: str, message: str, category: Category) -> None:
    b = EvidenceBook()
    b.add("error", "lambda (from the task's cause)", f"{error_type}: {message}", error_type=error_type)
    d = diagnose(b, "lambda")
    assert d.cause.category == category and message.split(":")[0] in d.cause.explanation


@pytest.mark.parametrize("line", [
    # JPype under JayDeBeApi (Beuth-Erdelt/DBMS-Benchmarker#79): a TypeError, yet the jar is what is missing.
    "TypeError: Class org.postgresql.Driver is not found",
    "java.lang.ClassNotFoundException: com.microsoft.sqlserver.jdbc.SQLServerDriver",
    "Caused by: java.lang.NoClassDefFoundError: com/mysql/jdbc/Driver",
    "java.sql.SQLException: No suitable driver found for jdbc:postgresql://db.internal:5432/sales",
])
def test_a_jdbc_driver_that_does_not_load_is_the_jobs_classpath(line: str) -> None:
    assert diagnose(book(line), "glue").cause.category == Category.CONFIGURATION


def test_a_missing_class_of_the_jobs_own_stays_its_code() -> None:
    d = diagnose(book("java.lang.ClassNotFoundException: com.acme.etl.DailyLoad"), "emr")
    assert d.cause.category == Category.CODE_ERROR
    d = diagnose(book("java.lang.NoClassDefFoundError: com/acme/etl/DriverStats$"), "emr")
    assert d.cause.category == Category.CODE_ERROR


@pytest.mark.parametrize("line", [
    # A column resolved against no columns: the input read was empty or absent (aws-samples/cql-replicator#156).
    "Exception in User Class: org.apache.spark.sql.AnalysisException : Column 'booking_id' does not exist. Did you "
    "mean one of the following? [];",
    "org.apache.spark.sql.AnalysisException: cannot resolve '`url`' given input columns: []; line 1 pos 7",
])
def test_a_column_resolved_against_no_columns_is_a_missing_input(line: str) -> None:
    assert diagnose(book(line), "glue").cause.category == Category.MISSING_INPUT


def test_a_column_the_input_lacks_among_others_stays_the_code() -> None:
    d = diagnose(book("org.apache.spark.sql.AnalysisException: cannot resolve '`url`' given input columns: [ts, uri]"),
                 "glue")
    assert d.cause.category == Category.CODE_ERROR


def test_the_user_class_of_a_glue_scala_job_is_no_user_that_does_not_exist() -> None:
    # "Exception in User Class: ... Table or view not found" is a missing table, not an IAM user.
    d = diagnose(book("Exception in User Class: org.apache.spark.sql.AnalysisException : Table or view not found: "
                      "sales.orders"), "glue")
    assert d.cause.category == Category.MISSING_INPUT


@pytest.mark.parametrize("source", ["stepfunctions", "lambda"])
def test_a_process_that_exited_with_all_its_memory_in_use_ran_out_of_it(source: str) -> None:
    # A Go function over its 128 MB (adrianhesketh.com, 2018): no Runtime.OutOfMemory, only the early exit.
    report = ("REPORT RequestId: 16f8d3a2 Duration: 11796.63 ms Billed Duration: 11800 ms Memory Size: 128 MB "
              "Max Memory Used: 128 MB")
    b = book("RequestId: 16f8d3a2 Process exited before completing request")
    b.add("log", "/aws/lambda/fn", report, at_memory_limit=at_memory_limit(report))  # as the log reader adds it
    d = diagnose(b, source)
    assert (d.cause.category, d.cause.confidence) == (Category.OUT_OF_MEMORY, Confidence.HIGH)
    # With memory to spare (its REPORT line is bookkeeping, left out of the evidence), an early exit is not
    # claimed as a memory kill: at most the words' low reading.
    spare = report.replace("Max Memory Used: 128 MB", "Max Memory Used: 61 MB")
    assert is_bookkeeping(spare)
    d = diagnose(book("RequestId: 16f8d3a2 Process exited before completing request"), source)
    assert d.cause.category != Category.OUT_OF_MEMORY or d.cause.confidence == Confidence.LOW


def test_what_the_task_a_mapreduce_job_failed_for_died_of_outranks_what_the_client_threw_after() -> None:
    # ExpediaGroup/circus-train#14: the copy job's map task timed out four times; the client then threw a
    # NullPointerException in its clean-up, the last exception of the step's stderr.
    b = EvidenceBook()
    b.add("log", "s3://logs/j-1/steps/s-1/stderr.gz",
          "AttemptID:attempt_1504697735424_23539_m_000004_3 Timed out after 600 secs", position=40)
    b.add("log", "s3://logs/j-1/steps/s-1/stderr.gz",
          "INFO org.apache.hadoop.mapreduce.Job:1380 - Job job_1504697735424_23539 failed with state FAILED due to: "
          "Task failed task_1504697735424_23539_m_000004", position=52)
    b.add("log", "s3://logs/j-1/steps/s-1/stderr.gz", "Caused by: java.lang.NullPointerException", position=90)
    assert diagnose(b, "emr").cause.category == Category.TIMEOUT
    # Without the job client's verdict, nothing says which failure came first: the exception stands.
    b.items.pop(1)
    assert diagnose(b, "emr").cause.category == Category.CODE_ERROR


def test_a_value_the_runs_own_settings_give_that_does_not_parse_is_the_setting() -> None:
    # Yelp/mrjob#1719: a streaming step's -D fixedlengthinputformat.record.length no int can hold.
    b = book('Error: java.lang.NumberFormatException: For input string: "999999999999999"')
    d = diagnose(b, "emr")
    assert d.cause.category == Category.BAD_DATA  # read alone, a value that does not parse is the data's
    b.add("config", "elasticmapreduce:DescribeStep", "Step command: command-runner.jar hadoop-streaming "
          "-D fixedlengthinputformat.record.length=999999999999999 -input s3://readings/2017-12-29/")
    d = diagnose(b, "emr")
    assert d.cause.category == Category.CONFIGURATION and d.cause.confidence != Confidence.HIGH
    assert b.items[-1].id in d.cause.evidence_ids and "999999999999999" in d.cause.explanation
    # A value that only looks like part of a setting is no setting's.
    b.items[-1].text = "Step command: hadoop-streaming -D record.length=9999999999999990"
    assert diagnose(b, "emr").cause.category == Category.BAD_DATA


@pytest.mark.parametrize("source", ["batch", "ecs"])
def test_a_bus_error_in_a_container_is_its_shared_memory_setting(source: str) -> None:
    # Open MPI's shared-memory transport past Docker's 64 MiB /dev/shm: gfortran's SIGBUS, mpirun's signal 7.
    b = book("Program received signal SIGBUS: Access to an undefined portion of a memory object.")
    b.add("log", "/aws/batch/job", "mpirun noticed that process rank 41 with PID 0 on node ip-10-0-17-203 exited on "
          "signal 7 (Bus error).")
    kind = "job" if source == "batch" else "task"
    b.add(kind, "describe", "exit code 135 — Essential container in task exited", exit_code=135)
    d = signature_set().diagnose(b.items, source, {"job_name": "ocean-fcst", "container": "model", "family": "ocean"})
    assert (d.cause.category, d.cause.confidence) == (Category.CONFIGURATION, Confidence.MEDIUM)
    assert "sharedMemorySize" in d.cause.explanation and "SIGBUS: Access to an undefined" in d.cause.explanation


def test_hives_notice_of_an_unknown_setting_is_no_missing_input() -> None:
    # Printed by every Spark step on EMR that talks to the Hive metastore: never the cause.
    b = book("21/02/25 21:07:00 WARN HiveConf: HiveConf of name hive.server2.thrift.url does not exist")
    assert signature_set().classify(b.items) is None
    assert diagnose(b, "emr").cause.category != Category.MISSING_INPUT


@pytest.mark.parametrize("line", [
    # A log time's milliseconds are no HTTP status ("03:00:23,504 ERROR", "…,429 INFO … Request").
    "2021-08-20 03:00:23,504 ERROR [SIGTERM handler] util.SignalUtils: RECEIVED SIGNAL TERM",
    "2021-08-20 03:00:23,429 INFO [main] glue.RequestHandler: Request sent to the data catalog",
    # A count of none is no bad data.
    "dt=2021-08-19: 1412907334 events, 0 bad records",
])
def test_bookkeeping_numbers_name_no_cause(line: str) -> None:
    assert signature_set().classify(book(line).items) is None


def test_a_step_the_program_says_went_well_is_no_failures_wording() -> None:
    # A loader's progress before a COPY that failed (awslabs/aws-lambda-redshift-loader#51): its words are the
    # service's and the loader's, not a failure's. The wording alone must not read a cause from it.
    ok = ("2015-09-11T14:15:09.688Z\t6f2b9d41-58c3-11e5-9a7e-3b1f0c8d2e64\tCreated Manifest acme-redshift-loader/"
          "manifests/events/manifest-2015-09-11-14:15:09-4182 Successfully")
    assert signature_set().read_terms(book(ok).items) is None
    # ... a line that says it failed still reads.
    assert signature_set().read_terms(book(ok.replace("Successfully", "failed: Connection timed out")).items)


@pytest.mark.parametrize("text", [
    "partner_feed_export.py: error: the following arguments are required: --export_date",
    "GlueArgumentError: the following arguments are required: --SOURCE_LOCATION, --OUTPUT_LOCATION",
    "load.py: error: unrecognized arguments: --dry_run",
    "load.py: error: argument --batch-size: invalid int value: '1k'",
])
def test_a_programs_missing_or_wrong_arguments_are_the_runs_parameters(text: str) -> None:
    assert diagnose(book(text), "glue").cause.category == Category.CONFIGURATION


@pytest.mark.parametrize(("job_role", "category"), [
    # Glue looks a bare role name up under /service-role/ (aws-solutions-library-samples/data-lakes-on-aws#312).
    ("sdlf-team-gluejobs-dev-rGlueRole-A3vhbqPFdPwJ", Category.CONFIGURATION),
    # Named by its ARN, the role is the one the job meant: its trust policy is what refuses.
    ("arn:aws:iam::123456789012:role/service-role/sdlf-team-gluejobs-dev-rGlueRole-A3vhbqPFdPwJ",
     Category.PERMISSION_DENIED),
])
def test_a_glue_role_named_without_its_path(job_role: str, category: Category) -> None:
    b = EvidenceBook()
    b.add("job", "glue:GetJobRun", "Run FAILED: JobName:legislators and JobRunId:jr_1 failed to execute with exception "
          "Role arn:aws:iam::123456789012:role/service-role/sdlf-team-gluejobs-dev-rGlueRole-A3vhbqPFdPwJ should be "
          "given assume role permissions for Glue Service.", status="FAILED")
    b.add("config", "glue:GetJob", f"Job legislators: glueetl job, role {job_role}, Glue 4.0", role=job_role)
    d = signature_set().diagnose(b.items, "glue", {"job_name": "legislators", "role": job_role})
    assert d.cause.category == category


@pytest.mark.parametrize(("text", "category"), [
    # A path the node's or the container's file mode does not let the process write: the script's setup
    # (Yelp/mrjob#1580: a bootstrap action's mkdir into /usr/lib without sudo).
    ("mkdir: cannot create directory '/usr/lib/python2.7/dist-packages/mrjob': Permission denied",
     Category.CONFIGURATION),
    ("PermissionError: [Errno 13] Permission denied: '/data/out/part-0001.csv'", Category.CONFIGURATION),
    # HDFS's own access control and an AWS refusal stay permissions.
    ("org.apache.hadoop.security.AccessControlException: Permission denied: user=hive, access=WRITE, "
     'inode="/":hdfs:hadoop:drwxr-xr-x', Category.PERMISSION_DENIED),
    ("An error occurred (AccessDenied) when calling the PutObject operation: Access Denied",
     Category.PERMISSION_DENIED),
    # A NumPy 1.x build under NumPy 2 (aws/aws-sdk-pandas#3011): the versions installed.
    ("A module that was compiled using NumPy 1.x cannot be run in\nNumPy 2.1.2 as it may crash.\n"
     "AttributeError: _ARRAY_API not found\nImportError: numpy.core.multiarray failed to import",
     Category.CONFIGURATION),
    # A workflow engine's task killed with SIGKILL (Nextflow, aws/amazon-genomics-cli#570).
    ("Process `foo:SAMTOOLS_SORT (sample1)` terminated with an error exit status (137)", Category.OUT_OF_MEMORY),
])
def test_file_modes_package_builds_and_killed_tasks(text: str, category: Category) -> None:
    assert diagnose(book(text), "batch").cause.category == category


_CHOICE_FAILED = ("Execution ended with ExecutionFailed: States.Runtime — cause: An error occurred while executing the "
                  "state 'Buy or Sell?' (entered at the event id #7). Invalid path '$.stock_price': The choice "
                  "state's condition path references an invalid value.")


@pytest.mark.parametrize(("entered_input", "category", "says"), [
    # The state before returned "{}" (aws/aws-sam-cli-app-templates#216: a Lambda whose C# response type had
    # fields, not properties): that task produced nothing for the path to find.
    ("{}", Category.CODE_ERROR, 'The state before it returned "{}"'),
    # The input has data, only not that field: the path or the task, one of two places.
    ('{"price": 41}', Category.CONFIGURATION, "Either the path in the definition is wrong"),
])
def test_a_choice_path_that_finds_nothing_looks_at_what_the_state_before_returned(
        entered_input: str, category: Category, says: str) -> None:
    b = EvidenceBook()
    b.add("history", "states:GetExecutionHistory", _CHOICE_FAILED, error="States.Runtime",
          event_type="ExecutionFailed")
    b.add("history", "states:GetExecutionHistory",
          f"State 'Buy or Sell?' was entered with input (the output of state 'Check Stock Value'): {entered_input}")
    d = diagnose(b)
    assert d.cause.category == category
    assert d.cause.confidence == Confidence.MEDIUM
    assert says in d.cause.explanation
    # Step Functions' own path is no reference left unresolved, and a quote that ends a sentence ends it once.
    assert "reference nobody resolved" not in d.cause.explanation
    assert ".." not in d.cause.explanation


def test_a_literal_path_passed_as_a_value_is_still_a_reference_nobody_resolved() -> None:
    d = diagnose(book("ValueError: invalid date '$.detail.run_date': does not match format '%Y-%m-%d'"), "lambda")
    assert d.cause.category == Category.CONFIGURATION
    assert "reference nobody resolved" in d.cause.explanation


@pytest.mark.parametrize(("text", "category"), [
    # A value of the wrong shape for the table, whichever side of the cast the SerDe's class is on.
    ("Caused by: java.lang.ClassCastException: java.lang.String cannot be cast to "
     "org.openx.data.jsonserde.json.JSONArray", Category.BAD_DATA),
    # Parquet's schema types: a column written as strings, read as structs (apache/hudi#5701).
    ("Caused by: java.lang.ClassCastException: optional binary element (UTF8) is not a group", Category.BAD_DATA),
    # A cast between the job's own classes stays its code.
    ("java.lang.ClassCastException: com.acme.etl.Order cannot be cast to com.acme.etl.Invoice", Category.CODE_ERROR),
])
def test_a_cast_into_the_shape_a_reader_holds_rows_in_is_the_data(text: str, category: Category) -> None:
    assert diagnose(book(text), "emr").cause.category == category


@pytest.mark.parametrize(("text", "category", "confidence"), [
    # The driver refusing an output an earlier run wrote: the run's setup.
    ("Exception in thread \"main\" org.apache.hadoop.mapred.FileAlreadyExistsException: Output directory "
     "s3://acme-curated/sessions/dt=2021-03-14 already exists", Category.CONFIGURATION, Confidence.HIGH),
    # A task's retry finding the file its own first attempt left (ldbc/ldbc_snb_datagen_spark#378).
    ("22/02/25 19:43:24 WARN TaskSetManager: Lost task 81.1 in stage 43.0 (TID 6790) (ip-172-31-21-136 executor 9): "
     "org.apache.hadoop.ipc.RemoteException(org.apache.hadoop.fs.FileAlreadyExistsException): /build/Person/"
     "part_81_0.snappy.parquet for client 172.31.21.136 already exists", Category.CODE_ERROR, Confidence.MEDIUM),
])
def test_a_file_a_spark_task_finds_already_written_is_its_own_earlier_attempts(
        text: str, category: Category, confidence: Confidence) -> None:
    d = diagnose(book(text), "emr")
    assert (d.cause.category, d.cause.confidence) == (category, confidence)


@pytest.mark.parametrize(("text", "category"), [
    # A JVM library refusing a value it was given, under its own name (elastic/elasticsearch-hadoop#910).
    ("org.elasticsearch.hadoop.EsHadoopIllegalArgumentException: Client-only routing specified but no client nodes "
     "with HTTP-enabled available", Category.CONFIGURATION),
    # One that wraps another exception is that one's.
    ("java.lang.IllegalArgumentException: java.net.UnknownHostException: namenode1.hdfs.internal",
     Category.DEPENDENCY_UNAVAILABLE),
    # A view whose definition no longer matches its tables; an item without the table's key as the table names it.
    ("VIEW_IS_STALE: line 1:15: View 'awsdatacatalog.cur.euc_view' is stale or in invalid state: column [x] of type "
     "boolean projected from query view at position 8 cannot be coerced to column [x] of type varchar stored in view "
     "definition", Category.CONFIGURATION),
    ("ValidationException: One or more parameter values were invalid: Missing the key RideID in the item",
     Category.CONFIGURATION),
    # A value that does not coerce into a table's column is still the data's.
    ("HIVE_BAD_DATA: Field price's type BINARY in parquet is incompatible with type double defined in table schema",
     Category.BAD_DATA),
    # A query whose node YARN decommissioned under it (a Spot node reclaimed).
    ("Query 20240611_031542_00007_q8x2m failed: NODE_DECOMMISSIONED", Category.CAPACITY),
])
def test_refused_arguments_stale_views_key_schemas_and_decommissioned_nodes(text: str, category: Category) -> None:
    assert diagnose(book(text), "emr").cause.category == category


def test_a_node_a_client_failed_over_from_is_passed_over() -> None:
    from incident_responder.diagnosis.classes import is_weak_line

    assert is_weak_line("23/09/18 21:32:06 ERROR NetworkClient: Node [10.20.14.37:9200] failed (java.net."
                        "ConnectException: Connection timed out); selected next node [search.internal:443]")
    assert not is_weak_line("23/09/18 21:32:06 ERROR NetworkClient: Node [10.20.14.37:9200] failed "
                            "(java.net.ConnectException: Connection timed out)")


def test_the_calendar_of_a_log_time_is_no_word_of_a_cause() -> None:
    from incident_responder.diagnosis.terms import terms

    assert terms("Jun 11, 2024 3:15:41 AM org.jline.utils.Log logr") == ["#log", "jline", "utils", "log", "logr"]


def test_a_yum_repository_no_mirror_of_which_answered_could_not_be_reached() -> None:
    # Each mirror's timeout is passed over ("Trying other mirror."); the line that gives up is the failure.
    compacted = compact(["https://yum.example.org/repo/repodata/repomd.xml: [Errno 12] Timeout on https://yum.example."
                         "org/repo/repodata/repomd.xml: (28, 'Connection timed out after 30001 milliseconds')",
                         "Trying other mirror.",
                         "Cannot find a valid baseurl for repo: dockerrepo"])
    b = EvidenceBook()
    for line in compacted.lines:
        facts = {"recovered": True} if line.recovered else {}
        b.add("log", "s3://logs/j-1/node/i-1/bootstrap-actions/1/stderr.gz", line.text, position=line.position,
              **facts)
    assert [line.recovered for line in compacted.lines if "Timeout on" in line.text] == [True]
    d = diagnose(b, "emr")
    assert d.cause.category == Category.DEPENDENCY_UNAVAILABLE
    # Without the mirror's timeout, the line that gives up says it alone.
    alone = diagnose(book("Loaded plugins: priorities, update-motd, upgrade-helper",
                          "Cannot find a valid baseurl for repo: dockerrepo"), "emr")
    assert alone.cause.category == Category.DEPENDENCY_UNAVAILABLE


@pytest.mark.parametrize(("text", "source", "category"), [
    # Py4J finding no such method on a JVM library's object: the jar is older than its Python wrapper.
    ("py4j.protocol.Py4JError: An error occurred while calling o123.kll. Trace:\n"
     "py4j.Py4JException: Method kll([]) does not exist\n\tat py4j.reflection.ReflectionEngine.getMethod("
     "ReflectionEngine.java:318)", "glue", Category.CONFIGURATION),
    # A class a Hadoop setting names, not found by the loader that reads the setting.
    ("23/11/16 09:12:24 ERROR ApplicationMaster: User class threw exception: java.io.IOException: From option "
     "fs.s3a.aws.credentials.provider java.lang.ClassNotFoundException: Class awesome.company.aws.auth.v2."
     "CustomCredentialsProvider not found", "emr", Category.CONFIGURATION),
    # Two versions of one library on the classpath, under an ExceptionInInitializerError, in a compacted line.
    ("ERROR [main] glue.ProcessLauncher: Error from Python:Traceback (most recent call last): | : java.lang."
     "ExceptionInInitializerError | Caused by: java.lang.RuntimeException: Multiple OpenSearch-Hadoop versions "
     "detected in the classpath; please use only one", "glue", Category.CONFIGURATION),
    # Py4J resolving a class it cannot load as a package: the jar is not on the session's classpath.
    ("Traceback (most recent call last):\n  File \"/tmp/checks.py\", line 12, in <module>\n"
     "    check = Check(spark, CheckLevel.Error, \"orders\")\nTypeError: 'JavaPackage' object is not callable",
     "glue", Category.CONFIGURATION),
    # A native library built for a newer C library than the runtime's.
    ("[ERROR] Runtime.ImportModuleError: Unable to import module 'controller.app': /lib64/libm.so.6: version "
     "`GLIBC_2.27' not found (required by /opt/python/lib/python3.10/site-packages/onnxruntime/capi/"
     "onnxruntime_pybind11_state.cpython-310-x86_64-linux-gnu.so)", "lambda", Category.CONFIGURATION),
    # Hive's compiler refusing the script's HQL.
    ("FAILED: SemanticException Unrecognized file format in STORED AS clause: 'RCFILES'", "emr",
     Category.CODE_ERROR),
    # Hive naming the row it could not process.
    ("FATAL [main] org.apache.hadoop.hive.ql.exec.mr.ExecMapper: org.apache.hadoop.hive.ql.metadata.HiveException: "
     "Hive Runtime Error while processing writable {\"text\":\"happy valentines day\",\"geo\":{\"type\":\"Point", "emr",
     Category.BAD_DATA),
    # Oracle's five-digit code for a value longer than its column.
    ("DatabaseError at procedure: handle_table() - ORA-12899: value too large for column \"USAGE\".\"T\".\"NAME\" "
     "(actual: 2403, maximum: 2000)", "glue", Category.BAD_DATA),
    # Rust's SDK with no provider that gave credentials: the instance's metadata service out of the container's
    # reach (its hop limit 1), the setting, not the object written.
    ("2023-03-20T20:39:15.682000Z ERROR ledger_s3_export::upload: put_object s3://acme-ledger-exports/hourly/part-"
     "00000.jsonl.gz failed: ConstructionFailure(ConstructionFailure { source: SigningStageError { kind: "
     "MissingCredentials } })", "ecs", Category.CONFIGURATION),
    ("CredentialsProviderError: Could not load credentials from any providers", "lambda", Category.CONFIGURATION),
    # A script saved with Windows line endings: its interpreter "/bin/bash\r" is not found, the script's text is
    # at fault, not a file the cluster lacks.
    ("/emr/instance-controller/lib/bootstrap-actions/1/bootstrap.sh: line 7: /home/hadoop/install-deps.sh: "
     "/bin/bash^M: bad interpreter: No such file or directory", "emr", Category.CODE_ERROR),
    # A Spark limit the message says to raise.
    ("org.apache.spark.SparkException: Kryo serialization failed: Buffer overflow. Available: 0, required: 1. To "
     "avoid this, increase spark.kryoserializer.buffer.max value.", "glue", Category.CONFIGURATION),
    # An RDD checkpoint read back from storage that listed fewer of its files than were written.
    (": org.apache.spark.SparkException: Checkpoint RDD has a different number of partitions from original RDD. "
     "Original RDD [ID: 42, num of partitions: 6]; Checkpoint RDD [ID: 57, num of partitions: 5].", "emr",
     Category.CONFIGURATION),
    # Hive's map-join local task run out of memory building the small side's hash table.
    ("FAILED: Execution Error, return code 3 from org.apache.hadoop.hive.ql.exec.mr.MapredLocalTask", "emr",
     Category.OUT_OF_MEMORY),
    # Node's TLS code for an expired certificate in the chain an old image's CA store trusts.
    ("{ Error: certificate has expired\n    at TLSSocket.onConnectSecure (_tls_wrap.js:1058:34)\n"
     "    at TLSWrap.ssl.onhandshakedone (_tls_wrap.js:436:38) code: 'CERT_HAS_EXPIRED' }", "ecs",
     Category.CONFIGURATION),
    # Ivy could not download jars of a package it resolved.
    ('Exception in thread "main" java.lang.RuntimeException: [download failed: javax.jms#jms;1.1!jms.jar, download '
     "failed: com.sun.jdmk#jmxtools;1.2.1!jmxtools.jar]", "emr", Category.DEPENDENCY_UNAVAILABLE),
    # A Parquet type the reader cannot read: the files' encoding.
    ("org.apache.spark.sql.AnalysisException: Illegal Parquet type: INT64 (TIMESTAMP_MICROS);", "glue",
     Category.BAD_DATA),
    # A shared library the image lacks, under an ImportError: the image the job's code was packaged in, not an input.
    ("ImportError: libGL.so.1: cannot open shared object file: No such file or directory", "batch",
     Category.CODE_ERROR),
    # The function's own validation refused the input it was started with.
    ('{"errorType": "Error", "errorMessage": "Missing num or num below 5", "stack": ["Error: Missing num or num '
     'below 5", "    at validateInput (/var/task/initializer.js:52:15)", "    at module.exports.handler '
     '(/var/task/initializer.js:14:5)"]}', "stepfunctions", Category.CONFIGURATION),
    # Two streaming queries given one checkpoint directory.
    ("pyspark.sql.utils.StreamingQueryException: Multiple streaming queries are concurrently using s3://acme/"
     "checkpoint/offsets", "glue", Category.CONFIGURATION),
    # An empty string for a DynamoDB key attribute, in the newer wording: the item's data.
    ("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The "
     "AttributeValue for a key attribute cannot contain an empty string value. IndexName: Created, IndexKey: created",
     "stepfunctions", Category.BAD_DATA),
    # Redshift's COPY refusing bytes that are not UTF-8.
    (": java.sql.SQLException: Error (code 1220) while loading data into Redshift: \"String contains invalid or "
     "unsupported UTF8 codepoints. Bad UTF8 hex sequence: ef b7 af (error 6)\"", "glue", Category.BAD_DATA),
    # A data catalog Athena does not have, reported under SYNTAX_ERROR: the setting, not the syntax.
    *[("Encountered an error:\nRuntime Error\n  SYNTAX_ERROR: line 2:10: Catalog testing does not exist", source,
       Category.CONFIGURATION) for source in ("athena", "stepfunctions")],
    # The interpreter a script's "#!/usr/bin/env python" names is not on the node: the environment, not an input;
    # the same line with a carriage return after the name is a script saved with Windows line endings.
    ("/usr/bin/env: 'python': No such file or directory", "emr", Category.CONFIGURATION),
    ("/usr/bin/env: 'python^M': No such file or directory", "emr", Category.CODE_ERROR),
    # A client library's fault in its own words is the code's (its version), not the service's.
    ("net.snowflake.client.jdbc.SnowflakeSQLLoggedException: JDBC driver internal error: Fail to retrieve row count "
     "for first arrow chunk: sun.misc.Unsafe or java.nio.DirectByteBuffer.<init>(long, int) not available.", "lambda",
     Category.CODE_ERROR),
    # Glue refusing a catalog Athena never upgraded: the account's setup, whatever the role may do.
    ("AnalysisException: 'java.lang.RuntimeException: MetaException(message:Unable to verify existence of default "
     "database: com.amazonaws.services.glue.model.AccessDeniedException: Please migrate your Catalog to enable "
     "access to this database (Service: AWSGlue; Status Code: 400; Error Code: AccessDeniedException)", "glue",
     Category.CONFIGURATION),
    # A Python shell job killed for memory: exit code 10 and no traceback.
    ("Command failed with exit code 10", "glue", Category.OUT_OF_MEMORY),
    # Ruby's words for a dependency the image lacks: the code's packaging, as Python's ImportError.
    ("/usr/local/lib/ruby/gems/2.5.0/gems/bundler-1.16.6/lib/bundler/rubygems_integration.rb:408:in `block (2 levels) "
     "in replace_gem': Error loading the 'postgresql' Active Record adapter. Missing a gem it depends on? pg is not "
     "part of the bundle. Add it to your Gemfile. (LoadError)", "ecs", Category.CODE_ERROR),
    # The Lambda Java runtime unable to read the event into the handler's declared type: the handler's signature.
    *[("An error occurred during JSON parsing: java.lang.RuntimeException | Caused by: com.amazonaws.lambda."
       "thirdparty.com.fasterxml.jackson.databind.exc.MismatchedInputException: Cannot deserialize instance of "
       "`java.lang.String` out of START_OBJECT token", source, Category.CODE_ERROR)
      for source in ("lambda", "stepfunctions")],
    # aws/aws-lambda-dotnet#675: the .NET runtime's serializer in its own words (an event model's wrong field type).
    *[("JsonSerializerException: Error converting the Lambda event JSON payload to type Amazon.Lambda.CloudWatchEvents."
       "ECSEvents.ECSTaskStateChangeEvent: The JSON value could not be converted to System.Collections.Generic.List`1. "
       "Path: $.detail.attachments[0].details[0] | LineNumber: 0 | BytePositionInLine: 412.", source,
       Category.CODE_ERROR) for source in ("lambda", "stepfunctions")],
    # Flink's checkpoints that expired until the job gave up on them: a time limit.
    ("Caused by: org.apache.flink.util.FlinkRuntimeException: Exceeded checkpoint tolerable failure threshold.",
     "emr", Category.TIMEOUT),
    # What the code sends past DynamoDB's fixed rules: the code, not capacity or a setting.
    ("com.amazonaws.services.dynamodbv2.model.AmazonDynamoDBException: Item size has exceeded the maximum allowed size "
     "(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException)", "ecs", Category.CODE_ERROR),
    ("botocore.exceptions.ClientError: An error occurred (ValidationException) when calling the BatchWriteItem "
     "operation: Provided list of item keys contains duplicates", "ecs", Category.CODE_ERROR),
    # A container whose entrypoint the runtime did not find: its setup, not an input.
    ("CannotStartContainerError: Error response from daemon: OCI runtime create failed: container_linux.go:380: "
     "starting container process caused: exec: \"/usr/local/env-execute\": stat /usr/local/env-execute: no such "
     "file or directory: unknown", "batch", Category.CONFIGURATION),
    # A CSV reader given something that is not the CSV it expects (an HTML page for a feed): the input.
    ("CsvError: Invalid Opening Quote: a quote is found on field 0 at line 2, value is \"  lang=\"", "lambda",
     Category.BAD_DATA),
    ("_csv.Error: line contains NUL", "batch", Category.BAD_DATA),
    # ENOSYS from a file system (flock on a Lustre mount without lock support): where the data is kept.
    ("lmdb.Error: /fsx/sr/data_L/lmdb/DIV2K_train_HR_sub: Function not implemented", "batch", Category.CONFIGURATION),
    # A SIGKILL whose record says a person ended the job is a stop, not memory.
    ("Attempt 1 of 1: exit code 137 (killed by SIGKILL, 128+9) — status reason: Terminated by the user", "batch",
     Category.MANUAL_STOP),
])
def test_failure_classes_read_by_class_rules(text: str, source: str, category: Category) -> None:
    assert diagnose(book(text), source).cause.category == category


def test_a_log_stream_the_log_driver_could_not_create_for_its_rate_is_throttling() -> None:
    # The container never started, but not for its definition: CloudWatch Logs refused the stream's rate.
    b = EvidenceBook()
    b.add("task", "ecs:DescribeTasks", "Container loader (essential) has no exit code (it did not run to an exit): "
          "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to "
          "create Cloudwatch log stream: ThrottlingException: Rate exceeded\n\tstatus code: 400")
    d = signature_set().diagnose(b.items, "ecs", {})
    assert d.cause.category == Category.THROTTLING


def test_a_client_whose_nodes_all_failed_is_what_each_node_failed_on() -> None:
    # es-hadoop's summary says "Connection error"; the node's own line before it says its certificate was not
    # trusted: the truststore (configuration), not an unreachable cluster.
    d = diagnose(book(
        "ERROR [Thread-8] rest.NetworkClient: Node [es-orders-01:9200] failed (javax.net.ssl.SSLHandshakeException: "
        "sun.security.validator.ValidatorException: PKIX path building failed: sun.security.provider.certpath."
        "SunCertPathBuilderException: unable to find valid certification path to requested target); no other nodes "
        "left - aborting...",
        "ERROR [main] glue.ProcessLauncher: org.elasticsearch.hadoop.rest.EsHadoopNoNodesLeftException: Connection "
        "error (check network and/or proxy settings)- all nodes failed; tried [[es-orders-01:9200]]"), "glue")
    assert d.cause.category == Category.CONFIGURATION


def test_a_warning_and_the_line_that_gave_up_agreeing_quote_the_line_that_gave_up() -> None:
    # A mirror timed out and yum tried another (a warning a signature knows); then no mirror answered at all. Both
    # say the repository could not be reached: the report quotes and cites the line that ended it first.
    d = diagnose(book(
        "2024-05-01 10:00:01 WARN [main] yum: http://mirror.example.com/repo/repodata/repomd.xml: [Errno 12] Timeout "
        "on http://mirror.example.com/repo/repodata/repomd.xml: (28, 'Connection timed out after 30001 "
        "milliseconds') Trying other mirror.",
        "2024-05-01 10:01:01 ERROR [main] Error: Cannot find a valid baseurl for repo: amzn2-core/2/x86_64"), "emr")
    assert d.cause.category == Category.DEPENDENCY_UNAVAILABLE
    assert d.cause.evidence_ids[0] == "E2" and "E1" in d.cause.evidence_ids
    assert "Cannot find a valid baseurl for repo" in d.cause.explanation


def test_a_call_the_client_retried_is_not_the_cause_of_the_error_that_ended_the_run() -> None:
    # A throttled call the client said it was retrying, then the script died on its own ValueError: the retries
    # got past the throttle; the unhandled error ended the run.
    d = diagnose(book(
        "WARNING:inventory:DescribeAddon throttled for prod/vpc-cni (ThrottlingException: Rate exceeded), retrying "
        "in 0.4s",
        "Traceback (most recent call last):\n  File \"/tmp/inventory.py\", line 88, in <module>\n"
        "    writer.writerow(row)\nValueError: dict contains fields not in fieldnames: 'aws-ebs-csi-driver'"), "glue")
    assert d.cause.category == Category.CODE_ERROR and d.cause.evidence_ids == ["E2"]


def test_advice_to_retry_is_no_retry() -> None:
    # Athena's "You may need to manually clean the data ... before retrying" advises a person; nothing retried.
    from incident_responder.diagnosis.classes import was_retried

    assert not was_retried("Query exhausted resources at this scale factor. You may need to manually clean the data "
                           "at location 's3://results/tables/1' before retrying.")
    assert not is_weak_line("ERROR Query exhausted resources at this scale factor. You may need to manually clean the "
                            "data at location 's3://results/tables/1' before retrying.")
    assert was_retried("DescribeAddon throttled (ThrottlingException: Rate exceeded), retrying in 0.4s")
    assert was_retried("Connection attempt 1 of 3 failed") and not was_retried("Connection attempt 3 of 3 failed")


def test_a_bad_interpreter_path_that_is_not_the_line_endings_is_no_code_error() -> None:
    # The interpreter a tool's shebang names is missing from the node: the environment, not the script's text.
    got = diagnose(book("bash: /home/ec2-user/miniconda/bin/aws: /home/ec2-user/miniconda/bin/python: bad "
                        "interpreter: No such file or directory"), "batch")
    assert got.cause.category not in (Category.CODE_ERROR, Category.MISSING_INPUT)
    assert got.cause.category == Category.CONFIGURATION


@pytest.mark.parametrize("clock", ["", "06:20:36  "])
def test_dbts_error_block_is_one_line_and_its_indented_message_decides(clock: str) -> None:
    # dbt prints the database's message indented under "Database Error in model ...", one log event per line
    # (dbt-labs/dbt-core#4479); dbt 1.x puts a time before each line.
    lines = [f"{clock}Completed with 1 error and 0 warnings:",
             f"{clock}Database Error in model fct_payments (models/marts/fct_payments.sql)",
             f"{clock}  SSL connection has been closed unexpectedly",
             f"{clock}  compiled SQL at target/run/warehouse/models/marts/fct_payments.sql",
             f"{clock}Done. PASS=10 WARN=0 ERROR=1 SKIP=3 TOTAL=14"]
    texts = [line.text for line in compact(lines, budget_tokens=2000).lines]
    block = next(t for t in texts if "Database Error in model" in t)
    assert "fct_payments.sql) SSL connection has been closed unexpectedly compiled SQL at" in block
    assert not any(t.startswith("Done.") and "SSL" in t for t in texts)
    # The line after the block is a line of its own again.
    assert any(t.endswith("Done. PASS=10 WARN=0 ERROR=1 SKIP=3 TOTAL=14") for t in texts)
    b = EvidenceBook()
    b.add("log", "/ecs/dbt-nightly/dbt/dbt/7d2e", block)
    assert signature_set().diagnose(b.items, "ecs", {}).cause.category == Category.DEPENDENCY_UNAVAILABLE


def test_a_generic_traceback_reading_quotes_the_exception_not_the_header() -> None:
    # The traceback's header says nothing; the exception line that ends it is the failure.
    b = book("24/05/14 02:10:25 WARN Utils: Truncated the string representation of a plan since it was too large.",
             "pyspark.sql.utils.AnalysisException: 'Detected implicit cartesian product for INNER join between "
             "logical plans",
             "24/05/14 02:10:26 ERROR ProcessLauncher: Error from Python:Traceback (most recent call last):")
    got = diagnose(b, "glue")
    assert got.cause.category == Category.CODE_ERROR
    assert "Detected implicit cartesian product" in got.cause.explanation
    assert "most recent call last" not in got.cause.explanation


def test_the_count_of_a_repeated_line_is_not_quoted_as_its_words() -> None:
    got = diagnose(book("Traceback (most recent call last): (×2, last 2021-02-05T09:17:39.017Z)",
                        "ImportError: libGL.so.1: cannot open shared object file: No such file or directory "
                        "(×2, last 2021-02-05T09:17:39.017Z)"), "batch")
    assert "cannot open shared object file: No such file or directory" in got.cause.explanation
    assert "×2" not in got.cause.explanation


@pytest.mark.parametrize(("line", "shown"), [
    # compaction joined the header and the exception
    ("2023-05-14 02:08:46,412 ERROR [main] glue.ProcessLauncher (Logging.scala:logError(70)): Error from "
     "Python:Traceback (most recent call last): | awswrangler.exceptions.InvalidArgumentValue: Object s3://acme/"
     "orders_archive/y=2024/part-0.parquet is not a file",
     "awswrangler.exceptions.InvalidArgumentValue: Object s3://acme/orders_archive/y=2024/part-0.parquet"),
    # the runtime printed the header after the message
    ("Runtime.MarshalError: Unable to marshal response: Object of type set is not JSON serializable Traceback "
     "(most recent call last):", "Object of type set is not JSON serializable"),
])
def test_a_traceback_header_around_the_exception_is_not_quoted(line: str, shown: str) -> None:
    got = diagnose(book(line), "glue")
    assert shown in got.cause.explanation
    assert "most recent call last" not in got.cause.explanation


def test_an_array_past_the_vm_limit_is_out_of_memory_that_more_heap_does_not_cure() -> None:
    # One object larger than any JVM array (a whole XML file read as one row, databricks/spark-xml#263): out of
    # memory in kind, but the setting or the data that made it so large is as likely the cause, so not high, and
    # the next steps do not say to add memory.
    d = diagnose(book("java.lang.OutOfMemoryError: Requested array size exceeds VM limit"), "glue")
    assert (d.cause.category, d.cause.confidence) == (Category.OUT_OF_MEMORY, Confidence.MEDIUM)
    assert "more memory does not help" in d.cause.explanation
    # Without the exception's class, the phrase alone reads the same.
    d = diagnose(book("# Requested array size exceeds VM limit"), "emr")
    assert (d.cause.category, d.cause.confidence) == (Category.OUT_OF_MEMORY, Confidence.MEDIUM)


def test_a_glue_run_error_is_quoted_without_the_responders_own_words_before_it() -> None:
    # The run's evidence says "Run FAILED after 35 min: <ErrorMessage>"; the cause quotes Glue's message.
    b = EvidenceBook()
    b.add("job", "glue:GetJobRun", "Run FAILED after 35 min: Command failed with exit code 10", status="FAILED",
          error_message="Command failed with exit code 10")
    d = signature_set().diagnose(b.items, "glue", {"job_name": "claims-shell", "capacity": "1.0 DPU"})
    assert 'ended with "Command failed with exit code 10"' in d.cause.explanation
    assert "Run FAILED" not in d.cause.explanation


def test_the_sigkill_of_containers_ecs_stopped_after_another_exited_with_an_error_is_not_memory() -> None:
    # The essential frontend exited 1 and stopped the task; ECS then killed the two Flask containers after the stop
    # timeout (137). Their 137 says nothing of memory; the frontend's own error is the cause.
    b = EvidenceBook()
    b.add("task", "ecs:DescribeTasks", "Container frontend (essential) exited with code 1 (application error)",
          exit_code=1, container="frontend")
    b.add("task", "ecs:DescribeTasks",
          "Container discounts (essential) exited with code 137 (killed by SIGKILL, 128+9)",
          exit_code=137, container="discounts")
    b.add("log", "/ecs/shop/frontend", "rubygems_integration.rb:408:in `replace_gem': Error loading the 'postgresql' "
          "Active Record adapter. Missing a gem it depends on? pg is not part of the bundle. (LoadError)")
    d = signature_set().diagnose(b.items, "ecs", {"container": "frontend"})
    assert d.cause.category == Category.CODE_ERROR
    # Alone, the 137 is still read as the memory limit, at medium.
    alone = EvidenceBook()
    alone.add("task", "ecs:DescribeTasks", "Container app (essential) exited with code 137 (killed by SIGKILL, 128+9)",
              exit_code=137, container="app")
    d = signature_set().diagnose(alone.items, "ecs", {"container": "app"})
    assert (d.cause.category, d.cause.confidence) == (Category.OUT_OF_MEMORY, Confidence.MEDIUM)


def test_a_connection_that_failed_to_a_node_spark_lost_is_the_node_loss() -> None:
    # A Spot core node reclaimed: YARN released its containers ("lost node"), and the shuffle fetch from its
    # executors then timed out. The connection failure names the lost node: capacity, not a dependency.
    lost = ("23/03/14 02:04:18 WARN TaskSetManager: Lost task 41.0 in stage 10.0 (TID 5121) (ip-10-60-3-41.us-west-2"
            ".compute.internal executor 7): ExecutorLostFailure (executor 7 exited unrelated to the running tasks) "
            "Reason: Container marked as failed: container_1678754321098_0001_01_000012 on host: ip-10-60-3-41.us-west"
            "-2.compute.internal. Exit status: -100. Diagnostics: Container released on a *lost* node.")
    fetch = ("Caused by: io.netty.channel.ConnectTimeoutException: connection timed out: "
             "ip-10-60-3-41.us-west-2.compute.internal/10.60.3.41:7337")
    assert diagnose(book(lost, fetch), "emr").cause.category == Category.CAPACITY
    # A connection to another host than the lost one is a dependency of its own.
    other = "Caused by: io.netty.channel.ConnectTimeoutException: connection timed out: db.internal/10.9.9.9:5432"
    assert diagnose(book(lost, other), "emr").cause.category == Category.DEPENDENCY_UNAVAILABLE


def test_a_host_lost_under_an_earlier_attempt_does_not_explain_the_last_attempts_time_limit() -> None:
    # Attempt 1 lost its Spot host; attempt 2 trained for its whole 12 h and hit the attempt timeout.
    b = EvidenceBook()
    b.add("job", "batch:DescribeJobs", "Job htr-train FAILED: Job attempt duration exceeded timeout — after 2 attempts",
          status_reason="Job attempt duration exceeded timeout")
    b.add("job", "batch:DescribeJobs", "Attempt 1 of 2: no exit code — status reason: Host EC2 (instance "
          "i-0c5e7a9b1d3f5a7c9) terminated. — ran 192.6 min", attempt="earlier",
          status_reason="Host EC2 (instance i-0c5e7a9b1d3f5a7c9) terminated.")
    b.add("job", "batch:DescribeJobs", "Attempt 2 of 2: exit code 137 (killed by SIGKILL, 128+9) — status reason: Job "
          "attempt duration exceeded timeout — ran 720.6 min", attempt=2, exit_code=137,
          status_reason="Job attempt duration exceeded timeout")
    assert diagnose(b, "batch").cause.category == Category.TIMEOUT


def test_a_refused_stop_of_other_work_is_a_cleanup_not_the_cause() -> None:
    """A workflow that aborts after a task failed and may not terminate the tasks it started: the refused
    batch:TerminateJob came after the failure; it never reads as the cause with high confidence."""
    denied = ("2021-12-02 18:57:46.633 wdl.w:Joint.t:call-ImportGVCFs-1437 ERROR AccessDeniedException, User: "
              "arn:aws:sts::123456789012:assumed-role/head-role/1040aebb is not authorized to perform: "
              "batch:TerminateJob on resource: arn:aws:batch:us-west-2:123456789012:job/9bc7488f")
    d = diagnose(book(denied), "batch")
    assert not (d.cause.category == Category.PERMISSION_DENIED and d.cause.confidence == Confidence.HIGH)
    started = denied.replace("batch:TerminateJob", "batch:SubmitJob")
    assert diagnose(book(started), "batch").cause.category == Category.PERMISSION_DENIED


def test_a_master_that_a_self_terminating_cluster_shut_down_is_no_capacity_loss() -> None:
    """mrjob's clusters shut their own master down once idle; EMR calls it INSTANCE_FAILURE (Yelp/mrjob#1725)."""
    lost = ("Cluster wc (j-1VQ8ZK3N5TB2W) is TERMINATED_WITH_ERRORS: INSTANCE_FAILURE — The master node was "
            "terminated. release emr-5.8.0")
    b = EvidenceBook()
    b.add("job", "elasticmapreduce:DescribeCluster", lost, state_change_code="INSTANCE_FAILURE")
    assert diagnose(b, "emr").cause.category == Category.CAPACITY
    b.add("config", "elasticmapreduce:DescribeCluster", "Cluster tags: a cluster mrjob launched (pool default)",
          self_terminating="mrjob")
    cause = diagnose(b, "emr").cause
    assert (cause.category, cause.confidence) == (Category.MANUAL_STOP, Confidence.MEDIUM)


@pytest.mark.parametrize(("text", "category"), [
    ("sudo: pip-2.7: command not found", Category.CONFIGURATION),
    ("Query 20170223_030614_00007_7qfpk failed: No nodes available to run query", Category.CONFIGURATION),
    # MapReduce's counters over mapreduce.job.counters.max: the job's setting, not an account's quota.
    ("Error: java.io.IOException: org.apache.hadoop.mapreduce.counters.LimitExceededException: Too many counters: "
     "201 max=200", Category.CONFIGURATION),
    # A layer whose unpacking failed on a write, its "no space left on device" cut off at 255 characters.
    ('CannotPullContainerError: ref pull has been retried 1 time(s): failed to extract layer sha256:e246a1b2c3d4: '
     'write /var...', Category.DISK_FULL),
])
def test_setup_messages_read_as_configuration(text: str, category: Category) -> None:
    assert diagnose(book(text), "emr").cause.category == category


@pytest.mark.parametrize(("module", "category"), [
    ("boto3", Category.CONFIGURATION),  # a package the cluster lacks: its bootstrap or image
    ("la_pipeline.tasks.common.event_utils", Category.CODE_ERROR),  # the job's own package, not shipped
])
def test_a_python_module_missing_on_an_emr_cluster(module: str, category: Category) -> None:
    b = EvidenceBook()
    b.add("log", "s3://logs/j-1/containers/application_1_0004/container_1_0004_01_000002/stderr.gz",
          f"ImportError: No module named {module}")
    assert diagnose(b, "emr").cause.category == category


def test_a_function_in_a_vpc_that_cannot_connect_to_an_aws_api_is_its_network_setup() -> None:
    # The clickstream partition syncer in private subnets with no route to Glue
    # (aws-solutions-library-samples/guidance-for-clickstream-analytics-on-aws#87).
    line = ('ERROR\tInvoke Error \t{"errorType":"TimeoutError","errorMessage":"Socket timed out without establishing a '
            'connection within 5000 ms"}')
    for in_vpc, category in ((True, Category.CONFIGURATION), (False, Category.DEPENDENCY_UNAVAILABLE)):
        b = book(line)
        b.add("config", "lambda:GetFunctionConfiguration", "Function fn: 256 MB memory, timeout 900 s", in_vpc=in_vpc)
        assert diagnose(b, "lambda").cause.category == category
    b = book(line)
    b.add("config", "lambda:GetFunctionConfiguration", "Function fn: 256 MB memory, timeout 900 s", in_vpc=True)
    assert "VPC endpoint" in " ".join(diagnose(b, "lambda").next_steps)


def test_a_choice_that_failed_on_an_error_the_state_before_returned_is_that_error() -> None:
    # The DeepRacer training workflow: the job monitor returned SageMaker's refusal as its output, and the Choice
    # after it found no status (aws-solutions/deepracer-on-aws#88).
    top = ("Execution ended with ExecutionFailed: States.Runtime — cause: An error occurred while executing the state "
           "'Job running?'. Invalid path '$.trainingJob.status': The choice state's condition path references an "
           "invalid value.")
    entered = ("State 'Job running?' was entered with input (the output of state 'Job Monitor'): {\"errorDetails\": "
               "{\"errorCode\": \"ResourceLimitExceeded\", \"errorMessage\": \"The account-level service limit "
               "'ml.c5.4xlarge for training job usage' is 4 Instances, with current utilization of 4 Instances\"}}")
    b = EvidenceBook()
    b.add("history", "states:GetExecutionHistory", top, error="States.Runtime")
    b.add("history", "states:GetExecutionHistory", entered)
    assert diagnose(b).cause.category == Category.CAPACITY
    # The same Choice on an input that merely lacks the field: the definition or the task before it.
    b = EvidenceBook()
    b.add("history", "states:GetExecutionHistory", top, error="States.Runtime")
    b.add("history", "states:GetExecutionHistory", entered.split(": {")[0] + ': {"trainingJob": {}}')
    assert diagnose(b).cause.category == Category.CONFIGURATION


@pytest.mark.parametrize(("earlier", "fatal", "category"), [
    # A scheduled batch that caught its database error, printed it, went on and hit a NameError on the result it
    # never got (aws-samples/template-for-closed-network-system-workloads-on-aws#8).
    ('Database connection failed due to connection to server at "db.rds.amazonaws.com" (10.0.1.247), port 5432 '
     'failed: root certificate file "./root.pem" does not exist', "NameError: name 'query_results' is not defined",
     Category.CONFIGURATION),
    # TensorRT logged why it could not deserialize the engine, returned None, and the script called a method on it
    # (NVIDIA/TensorRT#2105): the engine of another TensorRT version is the cause, not the AttributeError.
    ("[06/29/2022-16:20:45] [TRT] [E] 1: [stdArchiveReader.cpp::StdArchiveReader::35] Error Code 1: Serialization "
     "(Serialization assertion safeVersionRead == safeSerializationVersion failed.Version tag does not match. Note: "
     "Current Version: 0, Serialized Engine Version: 43)",
     "AttributeError: 'NoneType' object has no attribute 'create_execution_context'", Category.CONFIGURATION),
])
def test_what_an_earlier_failure_left_unset_is_that_failures_doing(earlier: str, fatal: str,
                                                                     category: Category) -> None:
    assert diagnose(book(earlier, "Traceback (most recent call last):", fatal), "ecs").cause.category == category
    # Alone, the error on the name or the None is the code's.
    assert diagnose(book("Traceback (most recent call last):", fatal), "ecs").cause.category == Category.CODE_ERROR


@pytest.mark.parametrize(("reason", "category"), [
    # asyncpg's refusal by pg_hba without SSL, then the program's own summary of it.
    ('ERROR fleet_stats.db: InvalidAuthorizationSpecificationError occurred while establishing connection: no '
     'pg_hba.conf entry for host "10.20.4.117", user "fleetstats_app", database "fleetstats", SSL off',
     Category.CONFIGURATION),
    # RDS Proxy refusing a client without TLS, logged by one process after another's pool gave up (oban-bg/oban#869).
    ("[error] Postgrex.Protocol (#PID<0.1351.0>) failed to connect: ** (Postgrex.Error) FATAL 28000 "
     "(invalid_authorization_specification) This RDS Proxy requires TLS connections", Category.CONFIGURATION),
])
@pytest.mark.parametrize("summary", [
    "CRITICAL fleet_stats.sync: Cannot connect to db on startup, exiting",
    "** (DBConnection.ConnectionError) connection not available and request was dropped from queue after 2976ms.",
])
def test_a_connection_that_failed_without_why_gives_way_to_the_line_that_says_why(
        reason: str, category: Category, summary: str) -> None:
    assert diagnose(book(reason, summary), "ecs").cause.category == category
    assert diagnose(book(summary, reason), "ecs").cause.category == category
    # Alone, the summary is a dependency out of reach; with a reason that is one (refused), it stays so.
    assert diagnose(book(summary), "ecs").cause.category == Category.DEPENDENCY_UNAVAILABLE
    refused = "psycopg2.OperationalError: connection to server at 10.0.1.5, port 5432 failed: Connection refused"
    assert diagnose(book(refused, summary), "ecs").cause.category == Category.DEPENDENCY_UNAVAILABLE


def test_a_file_a_tool_may_not_write_is_no_refusal_by_aws() -> None:
    # ffmpeg's words for a local file it may not write (moviepy's temporary audio in a Lambda's task root,
    # Zulko/moviepy#220): the function's file system, never an IAM refusal with high confidence.
    text = ("MoviePy error: FFMPEG encountered the following error while writing file test1TEMP_MPY_wvf_snd.mp3:\n"
            "test1TEMP_MPY_wvf_snd.mp3: Permission denied")
    d = diagnose(book(text), "lambda")
    assert d.cause.category != Category.PERMISSION_DENIED
    # An S3 refusal in the same words stays a refusal.
    refused = "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the PutObject operation"
    assert diagnose(book(refused), "lambda").cause.category == Category.PERMISSION_DENIED


def test_a_server_on_the_same_host_that_is_not_up_gives_way_to_its_own_log() -> None:
    # An EMR step's Presto CLI refused by the coordinator on the node, whose own log (another source) says why it
    # did not start (trinodb/trino#13144): the server's configuration, not a dependency out of reach.
    b = EvidenceBook()
    b.add("log", "s3://logs/j-1/node/i-1/applications/presto/server.log.gz",
          "com.google.inject.CreationException: Unable to create injector, see the following errors: 1) "
          "Configuration property 'optimizer.join_distribution_type' was not used")
    b.add("log", "s3://logs/j-1/steps/s-1/stderr.gz",
          "Error running command: java.net.ConnectException: Failed to connect to localhost/127.0.0.1:8889")
    assert diagnose(b, "emr").cause.category == Category.CONFIGURATION
    # A remote server refused, with another log's unrelated error, stays a dependency out of reach.
    c = EvidenceBook()
    c.add("log", "s3://logs/j-1/node/i-1/applications/presto/server.log.gz",
          "com.google.inject.CreationException: Unable to create injector, see the following errors: 1) "
          "Configuration property 'optimizer.join_distribution_type' was not used")
    c.add("log", "s3://logs/j-1/steps/s-1/stderr.gz",
          "Error running command: java.net.ConnectException: Failed to connect to db.internal/10.0.3.4:5432")
    assert diagnose(c, "emr").cause.category == Category.DEPENDENCY_UNAVAILABLE


def test_a_clusters_state_after_its_step_failed_is_context_not_the_cause() -> None:
    # A transient cluster the orchestrator terminated after its step failed (TERMINATED: USER_REQUEST): the step's
    # own error decides; the cluster's state is the setting it ran in.
    b = EvidenceBook()
    b.add("log", "s3://logs/j-1/steps/s-1/stderr.gz",
          ": org.apache.spark.SparkClassNotFoundException: The SerDe interface removed since Hive 2.3(HIVE-15167).")
    b.add("config", "elasticmapreduce:DescribeCluster",
          "Cluster sessions-transient (j-1) is TERMINATED: USER_REQUEST — Terminated by user request. emr-6.12.0")
    assert diagnose(b, "emr").cause.category == Category.CONFIGURATION
    # A cluster stopped by a person, reported as the cluster's own state, is still a manual stop.
    c = EvidenceBook()
    c.add("cluster", "elasticmapreduce:DescribeCluster",
          "Cluster sessions-transient (j-1) is TERMINATED: USER_REQUEST — Terminated by user request.")
    assert diagnose(c, "emr").cause.category == Category.MANUAL_STOP


def test_glues_invalid_input_is_no_missing_input_path_on_emr() -> None:
    # Glue's InvalidInputException is any request it refused (Hudi's sync sent partitions of the wrong arity,
    # apache/hudi#6281); Hadoop's, in mapred or mapreduce.lib.input, is the input path that is not there.
    refused = ("Caused by: org.apache.hudi.aws.sync.HoodieGlueSyncException: Fail to add partitions to cdc_lake.orders "
               "with error(s): [{PartitionValues: [2022, 01, 02],ErrorDetail: {ErrorCode: InvalidInputException,"
               "ErrorMessage: The number of partition keys do not match the number of partition values}}]")
    d = diagnose(book(refused), "emr")
    assert d.rule != "emr-input-path-missing"
    # ... and nothing else claims a missing input with high confidence from Glue's refusal either.
    assert not (d.cause.category == Category.MISSING_INPUT and d.cause.confidence == Confidence.HIGH)
    missing = ("org.apache.hadoop.mapreduce.lib.input.InvalidInputException: Input Pattern s3://acme/in/*.gz matches "
               "0 files")
    d = diagnose(book(missing), "emr")
    assert d.rule == "emr-input-path-missing" and d.cause.confidence == Confidence.HIGH


def test_a_traceback_that_ends_in_a_bare_exception_quotes_that_exception() -> None:
    # next() over a zip file's entries with no .SAFE folder (ASFHyP3/hyp3-gamma#491): "StopIteration" and no
    # message. The quote is the exception, not the traceback's header.
    d = diagnose(book("Traceback (most recent call last):", '  File "/app/util.py", line 46, in unzip_granule',
                      "    safe_dir = next(i for i in z.infolist() if i.is_dir())", "StopIteration"), "batch")
    assert d.cause.category == Category.CODE_ERROR
    assert '"StopIteration"' in d.cause.explanation and "Traceback" not in d.cause.explanation


def test_no_credentials_after_the_credentials_endpoint_failed_is_that_endpoints_failure() -> None:
    # aws/aws-sdk-ruby#3375: the ECS credentials refresh timed out, then nothing could be signed; with 429s from
    # the endpoint instead, its rate limit (piskvorky/smart_open#507).
    missing = "Aws::Errors::MissingCredentialsError: unable to sign request without credentials set"
    timed_out = ("WARN -- : Aws::ECSCredentials refresh from http://169.254.170.2/v2/credentials/3f0c failed "
                 "(attempt 5/5): Net::ReadTimeout with #<TCPSocket:(closed)>")
    limited = ("ERROR Received non 200 response (429) from ECS metadata: You have reached maximum request limit.")
    assert diagnose(book(timed_out, missing), "ecs").cause.category == Category.DEPENDENCY_UNAVAILABLE
    assert diagnose(book(limited, missing), "ecs").cause.category == Category.THROTTLING
    assert diagnose(book(missing), "ecs").cause.category not in (Category.DEPENDENCY_UNAVAILABLE, Category.THROTTLING)


def test_an_error_payload_printed_as_its_bytes_is_read_as_its_text() -> None:
    # Lambda Power Tuning's executor reports the tuned function's error payload as a list of byte values
    # (alexcasalboni/aws-lambda-power-tuning#242); the timeout is only legible decoded.
    payload = ('{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: 6f1c Error: Task timed out after 6.00 '
               'seconds"}')
    as_bytes = ",".join(str(b) for b in payload.encode())
    message = f'Invocation error (running in series): {as_bytes} with payload "{{}}"'
    # In a task's cause, as Step Functions quotes the executor's error ...
    cause = cause_text(json.dumps({"errorType": "Error", "errorMessage": message}))
    assert "Task timed out after 6.00 seconds" in cause and as_bytes not in cause
    d = diagnose(book(f"State 'Executor' (lambda:invoke) failed with Error — cause: {cause}"))
    assert d.cause.category == Category.TIMEOUT and "Task timed out after 6.00 seconds" in d.cause.explanation
    # ... and in the executor's own log line.
    [line] = compact([f"2024-04-24T09:42:09.318Z\t3c9d\tERROR\tInvoke Error \t{message}"]).lines
    assert "Task timed out after 6.00 seconds" in line.text
    # Numbers that are not text stay as they are.
    numbers = ",".join(str(n) for n in range(1, 40))
    assert compact([f"ERROR shard ids {numbers}"]).lines[0].text.endswith(numbers[-20:])


def test_a_request_at_its_memory_limit_names_the_memory() -> None:
    # A scan whose REPORT line shows every megabyte in use: timed out (cdklabs/construct-hub#1381), killed in a child
    # process (bluesentry/bucket-antivirus-function#39). Below the limit, neither reading holds.
    report = ("REPORT RequestId: 0708ea9a-8c4f-11e8-b814-83645a5c4d22\tDuration: 300100.31 ms\tBilled Duration: "
              "300000 ms\tMemory Size: {size} MB\tMax Memory Used: {used} MB\t")

    def run(first: str, used: int) -> Any:
        b = EvidenceBook()
        b.add("error", "lambda:responsePayload", first)
        b.add("log", "/aws/lambda/fn", report.format(size=512, used=used), at_memory_limit=used >= 512)
        return signature_set().diagnose(b.items, "lambda", {"function_name": "fn", "memory_mb": 512,
                                                             "max_memory_used_mb": used})

    timed_out = run("Task timed out after 300.10 seconds", 513)
    assert timed_out.cause.category == Category.TIMEOUT and "all of its memory in use" in timed_out.cause.explanation
    assert "Raise the memory" in " ".join(timed_out.next_steps)
    assert "all of its memory" not in run("Task timed out after 300.10 seconds", 400).cause.explanation
    killed = run("Exception: Unexpected exit code from clamscan: -9.", 512)
    assert (killed.cause.category, killed.cause.confidence) == (Category.OUT_OF_MEMORY, Confidence.MEDIUM)
    assert killed.cause.signature == "lambda-failed-at-memory-limit"
    assert run("Exception: Unexpected exit code from clamscan: -9.", 300).cause.signature != \
        "lambda-failed-at-memory-limit"


def test_compacted_report_lines_at_the_memory_limit_carry_the_fact() -> None:
    assert at_memory_limit("REPORT RequestId: x\tDuration: 1 ms\tMemory Size: 1024 MB\tMax Memory Used: 1025 MB")
    assert not at_memory_limit("REPORT RequestId: x\tDuration: 1 ms\tMemory Size: 1024 MB\tMax Memory Used: 900 MB")
    assert not at_memory_limit("Memory Size: 128 MB Max Memory Used: 128 MB")  # not a REPORT line


@pytest.mark.parametrize(("text", "source", "category"), [
    # S3's refusal of a presigned URL used after its expiry: not a missing permission
    # (PeopleForBikes/pfb-network-connectivity#270).
    ("<Error><Code>AccessDenied</Code><Message>Request has expired</Message><Expires>2017-04-11T16:06:38Z</Expires>"
     "<ServerTime>2017-04-11T16:33:13Z</ServerTime></Error>", "batch", Category.CONFIGURATION),
    # A path on the driver's own disk that the executors on other nodes do not have (JohnSnowLabs/spark-nlp#14072).
    ("WARN TaskSetManager: Lost task 0.0 in stage 0.0 (TID 0) (10.0.0.5 executor 1): java.io.FileNotFoundException: "
     "File file:/home/hadoop/cache_pretrained/sentence_detector/metadata/part-00000 does not exist", "emr",
     Category.CONFIGURATION),
    # A downloaded installer that was a web page (dask/dask-yarn#120).
    ("/tmp/miniconda.sh: line 1: `<html>'", "emr", Category.DEPENDENCY_UNAVAILABLE),
    # Two attempts writing one HDFS file outside the commit protocol (ldbc/ldbc_snb_datagen_spark#374).
    ("org.apache.hadoop.ipc.RemoteException(org.apache.hadoop.hdfs.protocol.AlreadyBeingCreatedException): Failed "
     "to CREATE_FILE /out/part_44_0.csv for DFSClient_NONMAPREDUCE_-1933_58 on 172.31.31.49 because this file lease "
     "is currently owned by DFSClient_NONMAPREDUCE_5152_56 on 172.31.19.8", "emr", Category.CODE_ERROR),
    # YARN with every local directory full: the container is never localized (yegor256/rultor#1095).
    ("Diagnostics: No space available in any of the local directories.", "emr", Category.DISK_FULL),
])
def test_causes_named_by_a_phrase_of_their_own(text: str, source: str, category: Category) -> None:
    assert diagnose(book(text), source).cause.category == category


def test_an_s3_access_denied_that_is_not_an_expiry_stays_a_permission() -> None:
    text = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
    assert diagnose(book(text), "batch").cause.category == Category.PERMISSION_DENIED


def test_a_throttle_the_client_backed_off_from_gives_way_to_the_error_that_ended_the_query() -> None:
    # The Athena DynamoDB connector's ThrottlingInvoker delayed a call, then DynamoDB refused the query it built
    # (awslabs/aws-athena-query-federation#1089).
    throttled = ("2023-03-01 09:12:41 d4f6 WARN  ThrottlingInvoker:121 - invoke: Encountered a throttling "
                 "event[ProvisionedThroughputExceededException] adding delay of 10 ms")
    refused = ("com.amazonaws.services.dynamodbv2.model.AmazonDynamoDBException: KeyConditionExpressions must only "
               "contain one condition per key (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: "
               "ValidationException)")
    failed = ("Query FAILED: GENERIC_USER_ERROR: Encountered an exception[com.amazonaws.services.dynamodbv2.model."
              "AmazonDynamoDBException] from your LambdaFunction[arn:aws:lambda:eu-west-1:123456789012:function:ddb]")

    request = ("2023-03-01 09:12:41 d4f6 INFO  DynamoDBRecordHandler:201 - Query request: "
               "KeyConditionExpression=(#pk = :v0)")
    failing = "2023-03-01 09:12:41 d4f6 ERROR RecordHandler:99 - readWithConstraint: failed"

    def run(first: str) -> Any:
        b = EvidenceBook()
        b.add("query", "athena:GetQueryExecution", failed, state="FAILED", error_category="user")
        for line in sorted(compact([first, request, failing, refused]).lines, key=lambda c: c.position):
            b.add("log", "/aws/lambda/ddb", line.text, count=line.count, position=line.position)
        return signature_set().diagnose(b.items, "athena", {"resource_name": "q"})

    assert is_weak_line(throttled)
    # The refusal is of the request the connector built (two conditions on one key): the code's.
    assert run(throttled).cause.category == Category.CODE_ERROR
    # Without the backoff's words, the throttle is not known to have been got past.
    assert run(throttled.replace(" adding delay of 10 ms", "")).cause.category == Category.THROTTLING


def test_a_deployment_before_the_error_gives_way_to_what_the_error_says() -> None:
    # An extension layer built for another architecture, added by the deployment (elastic/apm-aws-lambda#92).
    def run(error: str) -> Any:
        b = EvidenceBook()
        b.add("error", "lambda:responsePayload", error, error_type="Extension.LaunchError")
        b.add("change", "lambda:GetFunctionConfiguration", "Function fn: code or configuration changed 41 min before "
              "the failure", aspect="code", just_before=True)
        return signature_set().diagnose(b.items, "lambda", {"function_name": "fn", "definition_change": "the code"})

    assert run("RequestId: a1 Error: fork/exec /opt/extensions/apm: exec format error").cause.category == \
        Category.CONFIGURATION
    assert run("RequestId: a1 Error: something broke").cause.category == Category.CODE_ERROR


def test_a_start_failure_after_lambda_changed_the_runtime_version_is_the_package_setup() -> None:
    # aws/aws-lambda-rust-runtime#683: provided.al2's v20 no longer carried OpenSSL 1.1; an unchanged Rust bootstrap
    # linked against it failed as it started.
    def run(runtime_changed: bool, code_changed: bool = False) -> Any:
        b = EvidenceBook()
        b.add("error", "lambda:responsePayload", "Runtime.ExitError: RequestId: a1 Error: Runtime exited with error: "
              "exit status 127", error_type="Runtime.ExitError")
        b.add("log", "/aws/lambda/fn", "/var/task/bootstrap: error while loading shared libraries: libssl.so.1.1: "
              "cannot open shared object file: No such file or directory")
        b.add("change", "lambda:GetFunctionConfiguration", "Function fn: code or configuration changed" if code_changed
              else "Function fn: unchanged since before the last good invocation", aspect="code",
              changed_after_baseline=code_changed, just_before=code_changed)
        if runtime_changed:
            b.add("change", "logs:FilterLogEvents", "Runtime version of fn: provided:al2.v19 at the last good "
                  "invocation, provided:al2.v20 at the failure", aspect="runtime", runtime_before="provided:al2.v19",
                  runtime_after="provided:al2.v20", family_changed=False)
        return signature_set().diagnose(b.items, "lambda", {"function_name": "fn", "definition_change": "the code"})

    moved = run(runtime_changed=True)
    assert moved.cause.category == Category.CONFIGURATION
    assert moved.cause.signature == "change-runtime-then-start-failure"
    # The same runtime version as the last good run, or a deployment beside the new version: the process that exited,
    # the function's own.
    for other in (run(runtime_changed=False), run(runtime_changed=True, code_changed=True)):
        assert other.cause.signature != "change-runtime-then-start-failure"
        assert other.cause.category == Category.CODE_ERROR


def test_an_import_failure_after_the_functions_runtime_setting_changed_is_the_package_runtime_pairing() -> None:
    # strands-agents/harness-sdk#633: dependencies built for python3.12 (pydantic_core's cp312 module) on a function
    # moved to python3.13; the import fails as it starts.
    def run(before: str, after: str | None, family_changed: bool = False, code_changed: bool = True) -> Any:
        message = "Unable to import module 'app': No module named 'pydantic_core._pydantic_core'"
        b = EvidenceBook()
        b.add("error", "lambda:responsePayload", f"Runtime.ImportModuleError: {message}",
              error_type="Runtime.ImportModuleError", error_message=message)
        b.add("change", "lambda:GetFunctionConfiguration", "Function fn: code or configuration changed", aspect="code",
              changed_after_baseline=code_changed, just_before=code_changed)
        if after:
            b.add("change", "logs:FilterLogEvents", f"Runtime version of fn: {before} at the last good invocation, "
                  f"{after} at the failure", aspect="runtime", runtime_before=before, runtime_after=after,
                  family_changed=family_changed)
        return signature_set().diagnose(b.items, "lambda", {"function_name": "fn", "definition_change": "the code",
                                                            "runtime_change": f"{before} → {after}"})

    moved = run("python:3.12.v72", "python:3.13.v31", family_changed=True)
    assert (moved.cause.category, moved.cause.confidence) == (Category.CONFIGURATION, Confidence.MEDIUM)
    assert moved.cause.signature == "change-runtime-family-then-start-failure"
    assert "python:3.12.v72 → python:3.13.v31" in moved.cause.explanation
    # No runtime change, or only Lambda's release of the same runtime beside a new deployment: the package's import.
    for other in (run("python:3.12.v72", None), run("python:3.12.v72", "python:3.12.v73")):
        assert other.cause.category == Category.CODE_ERROR


def test_shared_memory_that_ran_out_is_the_default_size_unless_the_job_already_gave_gigabytes() -> None:
    # ai2cm/ace#330: a DataLoader worker's bus error in a job whose definition gives /dev/shm 80 GiB: the work outgrew
    # it (out_of_memory); without sharedMemorySize, Docker's 64 MiB is the setting to change (configuration).
    def run(shm_mib: int) -> Any:
        b = EvidenceBook()
        b.add("job", "batch:DescribeJobs", "Job train-1 FAILED: Essential container in task exited; exit code 1",
              exit_code=1)
        b.add("config", "batch:DescribeJobs", "Job definition train:3; queue gpu" + (
            f"; shared memory (/dev/shm) {shm_mib} MiB" if shm_mib else ""), shared_memory_mib=shm_mib)
        b.add("log", "/aws/batch/job", "ERROR: Unexpected bus error encountered in worker. This might be caused by "
              "insufficient shared memory (shm).")
        return signature_set().diagnose(b.items, "batch", {"job_name": "train-1", "job_definition_name": "train",
                                                           "job_queue": "gpu", "shared_memory_mib": shm_mib or None})

    outgrown = run(81920)
    assert (outgrown.cause.category, outgrown.cause.signature) == (Category.OUT_OF_MEMORY,
                                                                   "batch-shared-memory-outgrown")
    assert "81920 MiB" in outgrown.cause.explanation
    assert run(0).cause.category == Category.CONFIGURATION


def test_an_athena_function_called_on_other_types_is_the_querys_sql() -> None:
    # cloud-intelligence-dashboards-framework#1485: a view's json_extract_scalar on an array column; the reason
    # carries no error code.
    b = EvidenceBook()
    b.add("history", "athena:GetQueryExecution", "Query q1 FAILED: line 37:10: Unexpected parameters (array(varchar), "
          "varchar(4)) for function json_extract_scalar. Expected: json_extract_scalar(varchar(x), jsonpath), "
          "json_extract_scalar(json, jsonpath)")
    d = signature_set().diagnose(b.items, "athena", {"query_id": "q1"})
    assert (d.cause.category, d.cause.signature) == (Category.CODE_ERROR, "athena-syntax")


def test_an_import_failure_after_the_runs_own_pip_install_with_unchanged_code_is_a_new_release() -> None:
    # great-expectations/great_expectations#4538: a container pip-installs its requirements as it starts; Jinja2
    # 3.1.0, released the day before, no longer has contextfilter.
    def run(baseline: bool, code_changed: bool = False,
            error: str = "ImportError: cannot import name 'contextfilter' from 'jinja2'") -> Any:
        b = EvidenceBook()
        b.add("job", "batch:DescribeJobs", "Attempt 1 of 1: exit code 1 (application error)", exit_code=1)
        b.add("log", "/aws/batch/job", "Successfully installed Jinja2-3.1.0 great-expectations-0.13.49")
        b.add("log", "/aws/batch/job", error)
        if baseline:
            b.add("change", "batch:DescribeJobs", "Last good run: job dq-1 ended 2022-03-24 02:06 UTC",
                  aspect="baseline", baseline="job dq-1")
        if code_changed:
            b.add("change", "batch:DescribeJobs", "Job dq: image changed", aspect="code", changed_after_baseline=True)
        return signature_set().diagnose(b.items, "batch", {"job_name": "dq-2"})

    new_release = run(baseline=True)
    assert (new_release.cause.category, new_release.cause.signature) == (Category.CONFIGURATION,
                                                                         "install-at-start-import-error")
    # No good run to compare with, or a change to the code since: the import is the code's.
    assert run(baseline=False).cause.category == Category.CODE_ERROR
    assert run(baseline=True, code_changed=True).cause.category == Category.CODE_ERROR
    # fsspec/s3fs#514: a package that imports but lacks what its caller expects (aiobotocore 1.4.0 under s3fs) is
    # the same new release.
    missing_name = "AttributeError: module 'aiobotocore' has no attribute 'AioSession'"
    assert run(baseline=True, error=missing_name).cause.signature == "install-at-start-import-error"
    assert run(baseline=True, code_changed=True, error=missing_name).cause.category == Category.CODE_ERROR
    # cloud-bulldozer/benchmark-wrapper#484: NumPy 2.0 came in under an unpinned dependency and named what it removed.
    removed = "AttributeError: `np.float_` was removed in the NumPy 2.0 release. Use `np.float64` instead."
    assert run(baseline=True, error=removed).cause.signature == "install-at-start-import-error"
    assert run(baseline=True, code_changed=True, error=removed).cause.category == Category.CODE_ERROR


@pytest.mark.parametrize("error", [
    # pandas-dev/pandas#51062: SQLAlchemy 2.0 came in unpinned under pandas 1.x.
    "TypeError: __init__() got multiple values for argument 'schema'",
    # tenable/pyTenable#910: marshmallow 4.0 dropped pre_load's pass_many.
    "TypeError: pre_load() got an unexpected keyword argument 'pass_many'",
])
def test_a_call_that_no_longer_fits_an_unpinned_packages_api_is_a_new_release(error: str) -> None:
    def run(code_changed: bool) -> Any:
        b = EvidenceBook()
        b.add("config", "glue:GetJobRun", "Installed at the start of every run without a version "
              "(--additional-python-modules): sqlalchemy", unpinned_modules="sqlalchemy")
        b.add("log", "/aws-glue/python-jobs/error", error)
        b.add("change", "glue:GetJobRuns", "Last good run: jr_1 ended 2023-01-26 03:02 UTC", aspect="baseline",
              baseline="jr_1")
        if code_changed:
            b.add("change", "glue:GetJob", "Job crm: script changed", aspect="code", changed_after_baseline=True)
        return signature_set().diagnose(b.items, "glue", {"job_name": "crm"})

    assert run(code_changed=False).cause.category == Category.CONFIGURATION
    assert run(code_changed=True).cause.category == Category.CODE_ERROR


def test_a_containers_pip_that_cannot_build_what_it_installs_at_start_is_a_new_release() -> None:
    # yaml/pyyaml#601: PyYAML 5.4's sdist, built at the container's start, under Cython 3.0.
    def run(baseline: bool) -> Any:
        b = EvidenceBook()
        b.add("job", "batch:DescribeJobs", "Attempt 1 of 1: exit code 1 (application error)", exit_code=1)
        b.add("log", "/aws/batch/job", "      AttributeError: cython_sources")
        b.add("log", "/aws/batch/job", "error: subprocess-exited-with-error")
        if baseline:
            b.add("change", "batch:ListJobs", "Last good run: job churn-1 ended 2023-07-16 06:14 UTC",
                  aspect="baseline", baseline="job churn-1")
        return signature_set().diagnose(b.items, "batch", {"job_name": "churn-2"})

    d = run(baseline=True)
    assert (d.cause.category, d.cause.signature) == (Category.CONFIGURATION, "install-at-start-build-failed")
    assert run(baseline=False).cause.signature != "install-at-start-build-failed"


def test_a_wheels_dependency_collected_with_a_floor_only_is_unpinned() -> None:
    # aws/aws-sdk-pandas#2105: awswrangler 1.7.0's "fsspec>=0.6.0" took fsspec 2023.3.0 on Glue's Python 3.6.
    def run(collected: str) -> Any:
        b = EvidenceBook()
        b.add("log", "/aws-glue/python-jobs/output", collected)
        b.add("log", "/aws-glue/python-jobs/error", "ModuleNotFoundError: No module named 'importlib.metadata'")
        return signature_set().diagnose(b.items, "glue", {"job_name": "gl-extract"})

    assert run("Collecting fsspec>=0.6.0\n  Downloading fsspec-2023.3.0-py3-none-any.whl (145 kB)").cause.signature \
        == "unpinned-dependency-import-error-pip"
    # A requirement pinned to one version is no unpinned install.
    assert run("Collecting fsspec==2022.1.0\n  Downloading fsspec-2022.1.0-py3-none-any.whl").cause.category \
        == Category.CODE_ERROR


def test_a_connector_that_cannot_check_its_spill_buckets_owner_lacks_the_listing_permission() -> None:
    # awslabs/aws-athena-query-federation#288: the federation SDK lists the account's buckets to check the owner.
    b = EvidenceBook()
    b.add("query", "athena:GetQueryExecution", "Query FAILED: GENERIC_USER_ERROR: Encountered an exception[java.lang."
          "RuntimeException] from your LambdaFunction[arn:aws:lambda:us-east-1:123456789012:function:rs-connector] "
          "executed in context[retrieving meta-data] with message[Error while checking bucket ownership for "
          "example-spill]")
    d = signature_set().diagnose(b.items, "athena", {"query_id": "q1"})
    assert (d.cause.category, d.cause.signature) == (Category.PERMISSION_DENIED,
                                                     "athena-connector-spill-bucket-ownership")
    assert "s3:ListAllMyBuckets" in d.cause.explanation


def test_a_retry_librarys_name_in_a_stack_frame_is_no_retry() -> None:
    # ebiznext/comet-data-pipeline#133: Guava's NoSuchMethodError thrown through com.google.api.gax.retrying frames.
    from incident_responder.diagnosis.classes import was_retried

    trace = ("Exception in thread \"main\" java.lang.NoSuchMethodError: com.google.common.util.concurrent.MoreExecutors"
             ".directExecutor()Ljava/util/concurrent/Executor;\n\tat com.google.api.gax.retrying.BasicRetryingFuture"
             ".<init>(BasicRetryingFuture.java:82)")
    assert not was_retried(trace)
    assert diagnose(book(trace), "emr").cause.category == Category.CONFIGURATION
    assert was_retried("WARN upload of part 3 failed, retrying in 2s")


def test_a_module_newer_than_the_runtimes_openssl_is_the_pairing_not_a_missing_dependency() -> None:
    # aws-samples/aws-cost-explorer-report#45: urllib3 2 bundled into a python3.8 function (OpenSSL 1.0.2).
    def run(message: str) -> Any:
        b = EvidenceBook()
        b.add("error", "lambda:responsePayload", f"Runtime.ImportModuleError: {message}",
              error_type="Runtime.ImportModuleError", error_message=message)
        return signature_set().diagnose(b.items, "lambda", {"function_name": "fn"})

    assert run("Unable to import module 'lambda': urllib3 v2.0 only supports OpenSSL 1.1.1+, currently the 'ssl' "
               "module is compiled with 'OpenSSL 1.0.2k-fips  26 Jan 2017'").cause.category == Category.CONFIGURATION
    assert run("Unable to import module 'lambda': No module named 'requests'").cause.category == Category.CODE_ERROR


def test_an_environment_without_its_interpreter_after_a_corrupt_package_is_the_package() -> None:
    # Metaflow's conda environment built from a partly uploaded package (Netflix/metaflow#108).
    corrupt = ("ERROR: Encountered corrupt package tarball at /root/.aws/metaflow/conda/pkgs/pip-20.0.2-py36_1.tar.bz2."
               " Conda has left it in place.")
    missing = "/bin/sh: 1: metaflow_CleanFlow_linux-64_54816c/bin/python: not found"
    assert diagnose(book(corrupt, "Environment bootstrapped.", missing), "batch").cause.category == \
        Category.DEPENDENCY_UNAVAILABLE
    assert diagnose(book(missing), "batch").cause.category == Category.CONFIGURATION


def test_a_task_that_cannot_reach_its_secrets_before_it_starts_is_its_network_setup() -> None:
    # The taxonomy's example of configuration (ResourceInitializationError): a security group with no outbound 443
    # (aws-samples/generative-ai-sagemaker-cdk-demo#4).
    text = ("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval "
            "failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: "
            "send request failed caused by: Post \"https://api.ecr.us-west-2.amazonaws.com/\": dial tcp "
            "34.223.27.76:443: i/o timeout")
    b = EvidenceBook()
    b.add("task", "ecs:DescribeTasks", f"Task t1 stopped: {text}")
    d = signature_set().diagnose(b.items, "ecs", {"task_id": "t1", "family": "web", "cluster": "c"})
    assert (d.cause.category, d.cause.confidence) == (Category.CONFIGURATION, Confidence.MEDIUM)


def test_what_a_container_said_as_ecs_stopped_it_gives_way_to_the_essential_one_that_failed() -> None:
    # An Envoy sidecar aborted on an assert (exit 134); the app, stopped with the task (143), logged the
    # connections its proxy no longer took (aws/aws-app-mesh-roadmap#130).
    b = EvidenceBook()
    b.add("log", "/ecs/api/envoy/envoy/t1", "[2019-10-30 10:08:08.263][1][critical][assert] "
          "[source/common/upstream/health_checker_impl.cc:176] assert failure: !response_headers_.")
    refused = ('{"level":"error","msg":"POST http://fx-rates.payments.local:8080/v1/quote failed: connect '
               'ECONNREFUSED 10.0.22.118:8080"}')
    b.add("log", "/ecs/api/app/api/t1", refused, bystander=True)
    assert diagnose(b, "ecs").cause.category == Category.CODE_ERROR
    # Not a bystander, the refused connection is a failure as good as the assert.
    b.items[1].facts.pop("bystander")
    assert diagnose(b, "ecs").cause.category == Category.DEPENDENCY_UNAVAILABLE


@pytest.mark.parametrize(("text", "category"), [
    # Chrome's renderer without shared memory in a container (SeleniumHQ/docker-selenium#589).
    ("selenium.common.exceptions.WebDriverException: Message: unknown error: session deleted because of page crash",
     Category.CONFIGURATION),
    # Two migrations with one parent (Observal/Observal#718).
    ("FAILED: Multiple head revisions are present for given argument 'head'; please specify a specific target "
     "revision", Category.CODE_ERROR),
    # An SDK older than the service it is asked for (boto/boto3#2639).
    ("botocore.exceptions.UnknownServiceError: Unknown service: 'redshift-data'. Valid service names are: acm",
     Category.CONFIGURATION),
    # Athena's words for query results the caller may not read (awslabs/amazon-s3-find-and-forget#290).
    ("botocore.errorfactory.InvalidRequestException: An error occurred (InvalidRequestException) when calling the "
     "GetQueryResults operation: You do not seem to have access to the S3 location of your query results.",
     Category.PERMISSION_DENIED),
    # Nextflow's multipart download that could not write its parts: the head node's disk (nextflow-io/nextflow#7001).
    ("ERROR ~ Unable to complete multipart download. Individual part download failed.", Category.DISK_FULL),
    # A setting's value refused by the name of its environment variable (PostHog/posthog#1172) ...
    ("ValueError: !Ref DisableSecureSslRedirect is an invalid value for DISABLE_SECURE_SSL_REDIRECT, expected boolean",
     Category.CONFIGURATION),
    # ... where a value the data holds stays the data's.
    ("ValueError: invalid value '12/31/2023' in column order_date", Category.BAD_DATA),
    # A metrics sink whose jar the executors lack (banzaicloud/spark-metrics#16).
    ("ERROR MetricsSystem: Sink class com.banzaicloud.spark.metrics.sink.PrometheusSink cannot be instantiated",
     Category.CONFIGURATION),
    # An image pull that gave up waiting (aws-samples/aws-batch-with-ffmpeg#21).
    ("CannotPullContainerError: timeout", Category.DEPENDENCY_UNAVAILABLE),
    # Arrow given no record batches: a reader that did not handle an empty input (aws/aws-sdk-pandas#2394).
    ("ValueError: Must pass schema, or at least one RecordBatch", Category.CODE_ERROR),
    # SSH refusing a bootstrap script's key to the workers: no IAM policy (Alluxio/alluxio#9435).
    ("[2019-07-09 18:19:58][ip-172-31-7-83.us-west-2.compute.internal] Permission denied (publickey).",
     Category.CONFIGURATION),
    # Athena's injected partition projection without its equality condition (open-metadata/OpenMetadata#14765).
    ("CONSTRAINT_VIOLATION: Injected projected partition column date_time must have only (and at least one) "
     "equality conditions in the WHERE clause!", Category.CONFIGURATION),
    # A Python entrypoint handed the scheduler's shell as its script (nf-core/molkart#56) ...
    ("python: can't open file 'bash': [Errno 2] No such file or directory", Category.CONFIGURATION),
    # ... where a script of the job's own missing from the image is the code's (Netflix/metaflow#944).
    ("python: can't open file 'train.py': [Errno 2] No such file or directory", Category.CODE_ERROR),
    # Image references a runtime cannot parse (rstudio/r-builds#226, aws/copilot-cli#5032).
    ("Container.image contains invalid characters.", Category.CONFIGURATION),
    ('InternalError: failed to create container model: failed to normalize image reference ":fae9f246"',
     Category.CONFIGURATION),
    # A service's refusal of the request's shape (aws-solutions-library-samples/video-on-demand-on-aws#1) ...
    ('{"errorMessage":"/outputGroups/0/outputs: Should have at least 1 items","errorType":"BadRequestException"}',
     Category.CONFIGURATION),
    # ... where the same wrapper around a lost database connection is the connection (the RDS Data API).
    ("BadRequestException: An error occurred (BadRequestException) when calling the ExecuteStatement operation: "
     "Communications link failure", Category.DEPENDENCY_UNAVAILABLE),
    # dbt's own temporary table gone when the model read it (dbt-labs/dbt-athena#656) ...
    ("TABLE_NOT_FOUND: line 4:6: Table 'awsdatacatalog.analytics.fct_orders__dbt_tmp' does not exist",
     Category.CODE_ERROR),
])
def test_failures_named_by_a_class_rules_phrase(text: str, category: Category) -> None:
    assert diagnose(book(text), "ecs").cause.category == category


def test_the_error_glues_launcher_hides_behind_a_typeerror_is_the_one_read() -> None:
    # Glue's runscript.py rebuilds the script's exception with one argument and fails with a TypeError while
    # handling it; the boto3 the Python shell ships predates the Redshift Data API (boto/boto3#2639).
    joined = ("TypeError: __init__() takes 1 positional argument but 2 were given | botocore.exceptions."
              "UnknownServiceError: Unknown service: 'redshift-data'. Valid service names are: acm, acm-pca")
    d = diagnose(book(joined), "glue")
    assert d.cause.category == Category.CONFIGURATION and "redshift-data" in d.cause.explanation


def test_a_secret_named_by_a_partial_arn_is_the_reference_not_the_policy() -> None:
    # aws/aws-cdk#18555: fromSecretNameV2 gives the name without Secrets Manager's six-character suffix.
    reason = ("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval "
              "failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch "
              "secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/partner-sync/api-key{} from secrets "
              "manager: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/exec/x is not authorized "
              "to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:eu-west-1:123456789012:"
              "secret:prod/partner-sync/api-key{} because no identity-based policy allows the action")

    def run(suffix: str) -> Any:
        b = EvidenceBook()
        b.add("task", "ecs:DescribeTasks", "Task t1 stopped: " + reason.format(suffix, suffix))
        return signature_set().diagnose(b.items, "ecs", {"task_id": "t1", "family": "partner-sync", "cluster": "c"})

    assert run("").cause.category == Category.CONFIGURATION
    assert run("-Ab3dE9").cause.category == Category.PERMISSION_DENIED


@pytest.mark.parametrize("role", ["arn:aws:iam::123456789012:role/archiver-task", ""])
def test_no_credentials_with_a_role_set_is_the_endpoints_rate_without_one_the_setup(role: str) -> None:
    # A Ruby SDK that had signed a thousand uploads with the task role, then found none (aws/containers-roadmap#2757:
    # the task credentials endpoint answered 429 and the SDK said only this); without a role, none were given.
    b = EvidenceBook()
    b.add("config", "ecs:DescribeTaskDefinition", "Task size: 1024 CPU units, 2048 MiB memory", role=role)
    b.add("log", "/ecs/export/app/t1", "Aws::Errors::MissingCredentialsError: unable to sign request without "
                                         "credentials set")
    d = signature_set().diagnose(b.items, "ecs", {"task_id": "t1", "family": "export", "role": role or "(none set)"})
    if role:
        assert d.cause.category == Category.THROTTLING and role in d.cause.explanation
        assert d.cause.confidence == Confidence.LOW
    else:
        assert d.cause.category == Category.CONFIGURATION


def test_a_file_java_could_not_open_for_its_descriptors_is_no_missing_input() -> None:
    # aws-samples/cql-replicator#175: a shuffle file "(Too many open files)", in a run whose input differs from
    # the last good run's: not the input that changed.
    b = EvidenceBook()
    b.add("change", "glue:GetJobRun", "Input changed since the last good run: --SOURCE_TBL: a → b", aspect="input")
    b.add("log", "/aws-glue/jobs/error", "ERROR executor.Executor: Exception in task 0.63 in stage 2.1: java.io."
          "FileNotFoundException: /tmp/blockmgr-fc1e/0d/temp_shuffle_71db (Too many open files)")
    d = signature_set().diagnose(b.items, "glue", {"job_name": "replicator", "input_change": "--SOURCE_TBL"})
    assert d.cause.category == Category.CAPACITY
    b.items[1].text = b.items[1].text.replace("(Too many open files)", "(No such file or directory)")
    assert signature_set().diagnose(b.items, "glue", {"job_name": "replicator"}).cause.category == \
        Category.MISSING_INPUT


def test_a_lost_node_gives_way_to_the_failure_a_class_rule_names_on_a_fatal_line() -> None:
    # Spark re-ran the tasks of the executor lost with its node; the job then failed on a Kryo buffer
    # (a setting to raise), not for the node.
    b = EvidenceBook()
    b.add("log", "containers/app/stderr", "18/03/14 02:34:16 WARN YarnAllocator: Container marked as failed: "
          "container_01_000009 on host: ip-10-0-1-83.ec2.internal. Exit status: -100. Diagnostics: Container "
          "released on a *lost* node")
    kryo = ("Caused by: org.apache.spark.SparkException: Kryo serialization failed: Buffer overflow. Available: 2, "
            "required: 4. To avoid this, increase spark.kryoserializer.buffer.max value.")
    b.add("log", "containers/app/stderr", kryo)
    assert diagnose(b, "emr").cause.category == Category.CONFIGURATION
    # Alone, the lost node is the cause.
    b.items.pop()
    assert diagnose(b, "emr").cause.category == Category.CAPACITY


def test_a_telemetry_agent_that_failed_to_deliver_does_not_explain_a_timeout() -> None:
    # axiomhq/axiom-lambda-extension#48: the extension's own flushes failed while the invocation hung.
    flush = ("[axiom-lambda-extension] 2026/07/09 14:31:05 failed to flush logs: context deadline exceeded "
             "(Client.Timeout exceeded while awaiting headers)")
    assert is_weak_line(flush)
    d = diagnose(book(flush, "2026-07-09T14:34:12.571Z d297c780 Task timed out after 300.00 seconds"), "lambda")
    assert d.cause.category == Category.TIMEOUT
    # The job's own failure to deliver its data is not a telemetry agent's.
    assert not is_weak_line("ERROR failed to send orders batch: context deadline exceeded")


def test_a_child_process_output_larger_than_its_buffer_is_the_code() -> None:
    # aws-solutions-library-samples/video-on-demand-on-aws#14: mediainfo's JSON outgrew execSync's maxBuffer.
    d = diagnose(book('{"errorType":"Error","errorMessage":"stdout maxBuffer exceeded","stackTrace":["Socket.'
                      '<anonymous> (child_process.js:257:14)"]}'), "lambda")
    assert d.cause.category == Category.CODE_ERROR


def test_hives_possible_error_block_is_one_line_with_its_reading() -> None:
    lines = ["Task with the most failures(4): ", "-----", "Possible error:",
             "  Out of memory due to hash maps used in map-side aggregation.", "", "Solution:",
             "  Currently hive.map.aggr.hash.percentmemory is set to 0.5. Try setting it to a lower value.",
             "Diagnostic Messages for this Task:", "Error: Java heap space"]
    texts = [line.text for line in compact(lines).lines]
    assert any(t.startswith("Possible error: Out of memory due to hash maps") for t in texts), texts
    d = diagnose(book("Possible error: Out of memory due to hash maps used in map-side aggregation."), "emr")
    assert d.cause.category == Category.OUT_OF_MEMORY


def test_an_athena_table_that_is_not_dbts_own_stays_missing_input() -> None:
    d = diagnose(book("TABLE_NOT_FOUND: line 4:6: Table 'awsdatacatalog.analytics.fct_orders' does not exist"),
                 "athena")
    assert d.cause.category == Category.MISSING_INPUT


def test_an_init_report_that_says_why_the_runtime_failed_is_no_bookkeeping() -> None:
    # aws-samples/sample-autonomous-cloud-coding-agents#233: the function ran out of memory while it loaded.
    failed = "INIT_REPORT Init Duration: 2871.09 ms\tPhase: init\tStatus: error\tError Type: Runtime.OutOfMemory"
    assert not is_bookkeeping(failed)
    assert is_bookkeeping("INIT_REPORT Init Duration: 412.50 ms")
    lines = compact([failed, "START RequestId: 1 Version: $LATEST"]).lines
    assert any("Runtime.OutOfMemory" in line.text for line in lines)


@pytest.mark.parametrize("source", ["lambda", "stepfunctions"])
def test_a_report_whose_status_is_timeout_is_a_timeout_without_the_timed_out_line(source: str) -> None:
    # Lambda's JSON log format has no "Task timed out" line; its report (and the text format's REPORT) says it.
    report = ("REPORT RequestId: 3b2f8e0d-1c6a-4f57-a9e2-d4c6b8a0f1e3\tDuration: 3000.0 ms\tBilled Duration: 3000 ms"
              "\tMemory Size: 128 MB\tMax Memory Used: 64 MB\tStatus: timeout")
    assert not is_bookkeeping(report)
    assert is_bookkeeping(report.replace("Status: timeout", "Status: success"))
    d = diagnose(book("START RequestId: 3b2f8e0d-1c6a-4f57-a9e2-d4c6b8a0f1e3 Version: $LATEST", report), source)
    assert d.cause.category == Category.TIMEOUT
    ok = diagnose(book(report.replace("\tStatus: timeout", "")), source)
    assert ok.cause.category != Category.TIMEOUT


def test_a_key_error_on_an_environment_variable_is_the_setup_and_another_key_the_code() -> None:
    # awslabs/python-deequ#143: os.environ["SPARK_VERSION"] in a job that never set it.
    chained = ("Traceback (most recent call last):\n  File \"/usr/lib/python3.10/os.py\", line 680, in __getitem__\n"
               "    raise KeyError(key) from None\nKeyError: 'SPARK_VERSION'\n\nDuring handling of the above exception,"
               " another exception occurred:\n\nTraceback (most recent call last):\n  File \"job.py\", line 9, in "
               "<module>\nRuntimeError: SPARK_VERSION environment variable is required.")
    assert diagnose(book(chained), "glue").cause.category == Category.CONFIGURATION
    assert diagnose(book("KeyError: 'SPARK_VERSION'"), "glue").cause.category == Category.CONFIGURATION
    assert diagnose(book("Traceback (most recent call last):\nKeyError: 'amount'"), "glue").cause.category \
        == Category.CODE_ERROR


def test_nodes_lost_under_a_job_are_capacity_but_not_with_high_confidence() -> None:
    # EMR guide, "Deny-listed nodes": YARN takes out a node whose disks pass 90% full as it loses a Spot node;
    # only the ResourceManager's log tells them apart.
    d = diagnose(book("Failing this attempt.Diagnostics: Container released on a *lost* node",
                      "org.apache.spark.shuffle.FetchFailedException: Connection reset by peer"), "emr")
    assert d.cause.category == Category.CAPACITY
    assert d.cause.confidence == Confidence.MEDIUM
    assert any("UNHEALTHY" in step for step in d.next_steps)


def test_a_class_the_jvm_could_not_load_is_never_a_missing_input() -> None:
    # openillumi.com: Phoenix's output format missing from the executors' classpath.
    d = diagnose(book("java.lang.ClassNotFoundException: org.apache.phoenix.mapreduce.PhoenixOutputFormat not found"),
                 "emr")
    assert d.cause.category != Category.MISSING_INPUT
    assert diagnose(book("java.io.FileNotFoundException: s3://bucket/in/part-0001 not found"), "emr").cause.category \
        == Category.MISSING_INPUT


def test_a_jar_that_spark_submit_skipped_with_a_local_master_is_the_setting() -> None:
    skipped = "Warning: Skip remote jar hdfs://ip-10-0-0-12.ec2.internal:8020/user/hadoop/jobs/etl.jar."
    missing = "java.lang.ClassNotFoundException: com.acme.etl.Main"
    d = diagnose(book(skipped, missing), "emr")
    assert (d.cause.category, d.cause.signature) == (Category.CONFIGURATION, "spark-local-master-skipped-remote-jar")
    assert diagnose(book(missing), "emr").cause.signature != "spark-local-master-skipped-remote-jar"


def test_an_sdk_waiter_that_gave_up_is_a_timeout_and_one_that_met_a_failed_state_is_upstream() -> None:
    gave_up = ('Traceback (most recent call last):', '  File "/var/task/app.py", line 41, in handler',
               "botocore.exceptions.WaiterError: Waiter ObjectExists failed: Max attempts exceeded")
    d = diagnose(book(*gave_up), "lambda")
    assert d.cause.category == Category.TIMEOUT and d.cause.confidence != Confidence.HIGH  # what it waited for is open
    failed = ('botocore.exceptions.WaiterError: Waiter ClusterRunning failed: Waiter encountered a terminal failure '
              'state: For expression "Cluster.Status.State" we matched expected path: "TERMINATED_WITH_ERRORS"')
    assert diagnose(book(failed), "lambda").cause.category == Category.UPSTREAM_FAILURE
    # A waiter refused by IAM is the refusal, whatever it was waiting for.
    refused = "botocore.exceptions.WaiterError: Waiter BucketExists failed: An error occurred (403): Forbidden"
    assert diagnose(book(refused), "lambda").cause.category == Category.PERMISSION_DENIED


def test_a_timeout_of_a_function_in_a_vpc_is_a_timeout_with_the_route_to_check() -> None:
    # ministryofjustice/modernisation-platform#12286: each attempt logged "Fetching failure metrics from CloudWatch"
    # and hung until the limit; the subnets had no route to the service.
    lines = ("[INFO]\t2026-01-15T07:00:01.031Z\t5124f417-705d-4eb8-9e18-3ac1466d60b0\tFetching failure metrics from "
             "CloudWatch", "2026-01-15T07:01:01.033Z 5124f417-705d-4eb8-9e18-3ac1466d60b0 Task timed out after 60.00 "
             "seconds")
    for in_vpc, confidence in ((True, Confidence.MEDIUM), (False, Confidence.MEDIUM)):
        b = book(*lines)
        b.add("config", "lambda:GetFunctionConfiguration", "Function fn: 256 MB memory, timeout 60 s", in_vpc=in_vpc)
        d = diagnose(b, "lambda")
        assert (d.cause.category, d.cause.confidence) == (Category.TIMEOUT, confidence)
        assert ("NAT gateway" in " ".join(d.next_steps)) is in_vpc


def test_a_volume_plugin_the_host_does_not_have_is_its_setup_not_a_missing_input() -> None:
    # aws/elastic-beanstalk-roadmap#244: EFS volumes on instances whose agent was not set up for them.
    b = EvidenceBook()
    b.add("task", "ecs:DescribeTasks", "Task 4d1c stopped: Error response from daemon: create-Custom-b4b4: error "
          'looking up volume plugin amazon-ecs-volume-plugin: plugin "amazon-ecs-volume-plugin" not found (stop code '
          "TaskFailedToStart)")
    assert signature_set().diagnose(b.items, "ecs", {}).cause.category == Category.CONFIGURATION


def test_a_container_the_runtime_gave_up_starting_on_a_host_that_did_not_answer_is_no_certain_setup() -> None:
    # bottlerocket-os/bottlerocket#3960: the GPU driver timed out initialising; the container's settings were fine.
    reason = ("Container smoke-test (essential) has no exit code (it did not run to an exit): "
              "CannotStartContainerError: Error response from daemon: failed to create task for container: OCI "
              "runtime create failed: runc create failed: unable to start container process: error during container "
              "init: error running hook #0: nvidia-container-cli: initialization error: driver rpc error: timed out: "
              "unknown")
    b = EvidenceBook()
    b.add("task", "ecs:DescribeTasks", reason)
    assert signature_set().diagnose(b.items, "ecs", {}).cause.confidence != Confidence.HIGH
    b = EvidenceBook()
    b.add("task", "ecs:DescribeTasks", reason.replace("driver rpc error: timed out", "requirement error: unsatisfied "
                                                       "condition: cuda>=12.2"))
    d = signature_set().diagnose(b.items, "ecs", {})
    assert (d.cause.category, d.cause.confidence) == (Category.CONFIGURATION, Confidence.HIGH)


def test_slacks_ratelimited_answer_is_throttling_and_its_warning_key_no_level() -> None:
    # slackapi/python-slack-sdk#488: a digest posted to many channels too fast; the answer also carries a warning.
    line = ("[ERROR] SlackApiError: The request to the Slack API failed. | The server responded with: {'ok': False, "
            "'error': 'ratelimited', 'warning': 'superfluous_charset'}")
    assert not is_weak_line(line)
    assert is_weak_line("[WARNING] chat.postMessage returned warning: superfluous_charset")
    assert diagnose(book(line), "lambda").cause.category == Category.THROTTLING
    assert diagnose(book(line.replace("ratelimited", "channel_not_found")), "lambda").cause.category != (
        Category.THROTTLING)


@pytest.mark.parametrize(("task_type", "rule", "confidence"), [
    # aws-samples/amazon-textract-a2i-pdf#10: the queue's Lambda failed on every message and the token never came
    # back; the limit is how the state ended, not a certain cause
    ("sqs:sendMessage.waitForTaskToken", "sfn-callback-token-not-returned", Confidence.MEDIUM),
    # a task that ran and overran its own limit (medium too: a time limit says where the run stopped, not why)
    ("batch:submitJob.sync", "sfn-states-timeout", Confidence.MEDIUM),
])
def test_a_callback_task_that_timed_out_waited_on_a_worker_and_is_no_certain_timeout(
        task_type: str, rule: str, confidence: Confidence) -> None:
    b = EvidenceBook()
    b.add("history", "states:GetExecutionHistory",
          f"State 'AnalyzePdf' ({task_type}) failed with TaskTimedOut: States.Timeout", error="States.Timeout",
          state="AnalyzePdf", task_type=task_type, event_type="TaskTimedOut")
    b.add("history", "states:GetExecutionHistory", "Execution ended with ExecutionFailed: States.Timeout",
          error="States.Timeout", event_type="ExecutionFailed")
    d = diagnose(b)
    assert d.cause.category == Category.TIMEOUT
    assert d.rule == rule
    assert d.cause.confidence == confidence
    if rule == "sfn-callback-token-not-returned":
        assert "SendTaskFailure" in " ".join(d.next_steps)


@pytest.mark.parametrize("given", [True, False])
def test_a_payload_that_quotes_another_jobs_error_is_not_the_functions_failure(given: bool) -> None:
    # LBHackney-IT/Data-Platform#1613: the alerting function was handed a Glue job's failure event and timed out
    # after posting it; the job's "Path does not exist" is what it reported, not why it failed.
    b = EvidenceBook()
    b.add("error", "lambda:responsePayload",
          "Sandbox.Timedout: RequestId: 9c1e3a5b Error: Task timed out after 3.00 seconds",
          error_type="Sandbox.Timedout", error_message="Task timed out after 3.00 seconds")
    b.add("input", "lambda:requestPayload", 'Request payload: {"detail": {"jobName": "housing-repairs", "message": '
          '"AnalysisException: Path does not exist: s3://raw-zone/housing/repairs", "state": "FAILED"}}',
          **({"given": True} if given else {}))
    b.add("log", "/aws/lambda/glue-failure-notifications",
          "2024-02-27T06:44:22.034Z 9c1e3a5b Task timed out after 3.00 seconds")
    d = signature_set().diagnose(b.items, "lambda", {"function_name": "glue-failure-notifications",
                                                   "timeout_seconds": 3})
    if given:
        assert d.cause.category == Category.TIMEOUT
    else:  # read as a finding, the quoted error wins: what the flag prevents
        assert d.cause.category == Category.MISSING_INPUT


def test_nccls_own_error_line_under_a_generic_system_error_is_the_cause() -> None:
    # fal-ai-community/video-diffusion-speedrun#2: NCCL writes its errors as "NCCL WARN"; the traceback only says
    # "unhandled system error (run with NCCL_DEBUG=INFO for details)". Fixed with a larger /dev/shm.
    shm = ("ip-10-20-5-17:57:112 [0] misc/shmutils.cc:114 NCCL WARN Error while creating shared memory segment "
           "/dev/shm/nccl-pZafXL (size 7340384)")
    assert not is_weak_line(shm)
    assert is_weak_line("2024-01-24 03:10:40 WARN TaskSetManager: Lost task 5.0 in stage 7.0")  # others' WARN still is
    b = book("ip-10-20-5-17:57:112 [0] NCCL INFO Connected all rings", shm,
             "torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/NCCLUtils.hpp:317, "
             "unhandled system error (run with NCCL_DEBUG=INFO for details), NCCL version 2.21.5")
    d = diagnose(b, "ecs")
    assert d.cause.category == Category.CONFIGURATION
    assert "/dev/shm/nccl-pZafXL" in d.cause.explanation
    assert d.cause.confidence != Confidence.HIGH  # a host short of memory reads the same


@pytest.mark.parametrize(("text", "category"), [
    # alexcasalboni/aws-lambda-power-tuning before 4.2: its initializer changed the function and went on without
    # waiting for the update to finish
    ("ResourceConflictException: The operation cannot be performed at this time. An update is in progress for "
     "resource: arn:aws:lambda:us-west-2:123456789012:function:report-export-handler", Category.CODE_ERROR),
    # invoking a function that is not yet active: its state, as Lambda's guide reads it
    ("ResourceConflictException: The operation cannot be performed at this time. The function is currently in the "
     "following state: Pending", Category.CONFIGURATION),
])
def test_a_lambda_update_still_in_progress_is_the_callers_race(text: str, category: Category) -> None:
    d = diagnose(book(text), "lambda")
    assert d.cause.category == category
    race = category == Category.CODE_ERROR
    assert (d.rule == "class:lambda-update-in-progress") == race
    if race:
        assert d.cause.confidence != Confidence.HIGH  # two tools changing one function read the same


@pytest.mark.parametrize(("line", "weak"), [
    # noops-challenge/hexbot#24: the last of three tries is the failure itself, under "giving up after 3 tries"
    ("2021-02-03T06:03:12.852Z d41e WARN hexbot request failed (try 3/3): Error: getaddrinfo ENOTFOUND "
     "api.noopschallenge.com", False),
    ("2021-02-03T06:03:10.852Z d41e WARN hexbot request failed (try 1/3): Error: getaddrinfo ENOTFOUND "
     "api.noopschallenge.com", True),
    ("ERROR attempt 2 of 5 failed: connection reset; retrying", True),
])
def test_the_last_of_its_tries_is_no_retried_warning(line: str, weak: bool) -> None:
    assert is_weak_line(line) == weak


@pytest.mark.parametrize(("line", "category"), [
    # 1Password/connect#70: an EFS access point whose owner is not the user the container runs as
    ('We can\'t safely access "/mnt/opc/data/.op/data/files" because it\'s not owned by the current user. Change '
     'the owner or logged in user and try again.', Category.CONFIGURATION),
    ("chown: changing ownership of '/var/lib/postgresql/data': Operation not permitted", Category.CONFIGURATION),
])
def test_a_volume_owned_by_another_user_is_the_mounts_setting(line: str, category: Category) -> None:
    d = diagnose(book(line), "ecs")
    assert d.cause.category == category
    assert d.cause.confidence != Confidence.HIGH


def test_pips_cache_owned_by_another_user_is_no_finding() -> None:
    line = ("WARNING: The directory '/root/.cache/pip' or its parent directory is not owned by the current user and "
            "the cache has been disabled. Please check the permissions and owner of that directory.")
    assert diagnose(book(line), "ecs").rule != "class:volume-owner-mismatch"


@pytest.mark.parametrize(("line", "category"), [
    # a lookup file passed as reference/country_codes.txt, resolved against the default file system
    ("org.apache.hadoop.mapred.InvalidInputException: Input path does not exist: "
     "hdfs://ip-10-30-0-12.ec2.internal:8020/user/hadoop/reference/country_codes.txt", Category.CONFIGURATION),
    # ssavvides/tpch-spark#1: a path the job names in HDFS itself, which is not there
    ("org.apache.spark.sql.AnalysisException: Path does not exist: hdfs://hdfs-namenode-host:9000/TPCHBench/Input/"
     "lineitem.tbl", Category.MISSING_INPUT),
    # a path the script names in another user's directory: written so, and not there
    ("org.apache.hadoop.mapreduce.lib.input.InvalidInputException: Input path does not exist: "
     "hdfs://ip-10-0-1-5.ec2.internal:8020/user/admin/drivers.csv", Category.MISSING_INPUT),
])
def test_a_path_looked_for_in_the_hdfs_home_lost_its_scheme(line: str, category: Category) -> None:
    assert diagnose(book(line), "emr").cause.category == category


@pytest.mark.parametrize(("line", "category"), [
    # awslabs/aurora-snapshot-tool#25: the stack's KMS key parameters left at None
    ("KMSKeyNotAccessibleFault: An error occurred (KMSKeyNotAccessibleFault) when calling the CopyDBClusterSnapshot "
     "operation: Specified KMS key [None] does not exist, is not enabled or you do not have permissions to access "
     "it.", Category.CONFIGURATION),
    ("ResourceNotFoundException: Function not found: arn:aws:lambda:eu-west-1:123456789012:function:undefined",
     Category.CONFIGURATION),
    # a real name that does not exist: not an unset value
    ("KMSKeyNotAccessibleFault: Specified KMS key [alias/orders-key] does not exist, is not enabled or you do not "
     "have permissions to access it.", None),
    # None in an ordinary log line, with nothing looked up by it
    ("[INFO] task_name=redash.tasks.execute_query data_length=None error=[None]", None),
])
def test_a_resource_named_by_an_unset_value_is_the_setting_never_given(line: str, category: Category | None) -> None:
    d = diagnose(book(line), "lambda")
    if category is None:
        assert d.rule != "unset-value-named-as-resource"
    else:
        assert d.rule == "unset-value-named-as-resource"
        assert d.cause.category == category


@pytest.mark.parametrize("line", [
    # jhj0517/Whisper-WebUI#415: an upload that stopped before the end
    "av.error.InvalidDataError: [Errno 1094995529] Invalid data found when processing input: '/tmp/in.m4a'; "
    "last error log: [mov,mp4,m4a,3gp,3g2,mj2] moov atom not found",
    "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5581c2a3e2c0] moov atom not found",
])
def test_a_media_file_the_decoder_cannot_read_is_the_data(line: str) -> None:
    assert diagnose(book(line), "ecs").cause.category == Category.BAD_DATA


@pytest.mark.parametrize(("line", "category", "rule"), [
    # domain-protect/domain-protect#13: the account variable was empty, so the role ARN has no account
    ("botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the AssumeRole operation: User: "
     "arn:aws:sts::123456789012:assumed-role/domain-protect-lambda/scan is not authorized to perform: sts:AssumeRole "
     "on resource: arn:aws:iam:::role/domain-protect-audit", Category.CONFIGURATION, "unset-value-named-as-resource"),
    # aws-samples/amazon-textract-comprehend-OCRimage-search-and-analyze#4: a multi-page PDF sent to the synchronous API
    ("botocore.errorfactory.UnsupportedDocumentException: An error occurred (UnsupportedDocumentException) when "
     "calling the AnalyzeDocument operation: Request has unsupported document format", Category.BAD_DATA,
     "class:document-format-refused"),
    # EVerest/EVerest-archived#267: mosquitto given the container runtime's unbounded open-files limit
    ("1700000000: OOM allocating 1073741816 fds", Category.CONFIGURATION, "class:nofile-limit-unbounded"),
    # aws-solutions/content-localization-on-aws#314: the SDK's error code of a request the service refused as built
    ("An error occurred (BadRequestException) when calling the StartTranscriptionJob operation: You must specify a "
     "value for outputBucketName because your account, 123456789012, has opted out of using your content",
     Category.CONFIGURATION, "class:aws-validation-exception"),
])
def test_more_setups_and_inputs_read_from_their_own_words(line: str, category: Category, rule: str) -> None:
    d = diagnose(book(line), "lambda")
    assert (d.cause.category, d.rule) == (category, rule)


@pytest.mark.parametrize("text", [
    # dbt prints an on-run-end hook's error without its class (brooklyn-data/dbt_artifacts#337).
    "14:35:41   Object of type WarnErrorOptions is not JSON serializable",
    "TypeError: Converting circular structure to JSON",
    "TypeError: Do not know how to serialize a BigInt",
])
def test_a_value_a_json_encoder_cannot_encode_is_the_code(text: str) -> None:
    assert diagnose(book(text), "ecs").cause.category == Category.CODE_ERROR


def test_a_warning_about_where_rate_limits_are_kept_is_no_throttling() -> None:
    # Flask-Limiter warns at every start of a Superset container (apache/superset#33739); the migration's own
    # error decides.
    b = book("/usr/local/lib/python3.10/site-packages/flask_limiter/extension.py:333: UserWarning: Using the "
             "in-memory storage for tracking rate limits as no storage was explicitly specified.")
    assert diagnose(b, "ecs").cause.category != Category.THROTTLING
    assert diagnose(book("Error: API rate limits exceeded for this account"), "ecs").cause.category == \
        Category.THROTTLING


def test_a_program_the_work_could_not_start_is_its_setting_not_a_missing_input() -> None:
    # awslabs/amazon-emr-cli#32: PYSPARK_PYTHON names an interpreter from an archive that was not packaged.
    b = book('Exception in thread "main" java.io.IOException: Cannot run program "./environment/bin/python": '
             'error=2, No such file or directory\n\tat java.lang.ProcessBuilder.start(ProcessBuilder.java:1048)\n'
             'Caused by: java.io.IOException: error=2, No such file or directory')
    assert diagnose(b, "emrserverless").cause.category == Category.CONFIGURATION
    # A file the program reads that is not there stays the input's.
    b = book("java.io.FileNotFoundException: /mnt/data/in/part-0001.csv (No such file or directory)")
    assert diagnose(b, "emr").cause.category == Category.MISSING_INPUT


def test_multiprocessing_in_a_lambda_function_is_the_codes_choice() -> None:
    # PrefectHQ/prefect#5046: a ThreadPool builds a SemLock on /dev/shm, which Lambda does not have.
    b = EvidenceBook()
    b.add("error", "lambda:responsePayload", "OSError: [Errno 38] Function not implemented", error_type="OSError")
    b.add("log", "/aws/lambda/fn", '[ERROR] OSError: [Errno 38] Function not implemented\nTraceback (most recent call '
          'last):\n  File "/var/lang/lib/python3.8/multiprocessing/synchronize.py", line 57, in __init__\n'
          '    sl = self._semlock = _multiprocessing.SemLock(')
    d = diagnose(b, "lambda")
    assert (d.cause.category, d.cause.signature) == (Category.CODE_ERROR, "lambda-multiprocessing-without-shm")
    # The same errno from a file system that lacks a call (an LMDB on FSx for Lustre) is not this.
    b = book("lmdb.Error: /fsx/train.lmdb: Function not implemented")
    assert diagnose(b, "lambda").cause.signature != "lambda-multiprocessing-without-shm"


def test_a_dependency_a_wheel_declares_without_a_version_is_the_new_release_that_broke_the_import() -> None:
    # AbhimanyuHK/aws-psycopg2#3: the team's wheel needs aws-psycopg2 unpinned; 1.2.0 shipped without its libpq.
    b = book("Processing ./glue-python-libs-u4r8n2qd/acme_etl-2.3.0-py3-none-any.whl Collecting aws-psycopg2 (from "
             "acme-etl==2.3.0) Installing collected packages: aws-psycopg2, acme-etl",
             "ImportError: libpq-3d107b13.so.5.11: cannot open shared object file: No such file or directory")
    d = diagnose(b, "glue")
    assert (d.cause.category, d.cause.signature) == (Category.CONFIGURATION, "unpinned-dependency-import-error-pip")
    assert "libpq-3d107b13" in d.cause.explanation
    # Pinned by the wheel ("Collecting aws-psycopg2==1.1.1"): pip took the version asked for.
    b = book("Collecting aws-psycopg2==1.1.1 (from acme-etl==2.3.0)",
             "ImportError: libpq-3d107b13.so.5.11: cannot open shared object file: No such file or directory")
    assert diagnose(b, "glue").cause.signature != "unpinned-dependency-import-error-pip"


def test_a_failure_handler_that_failed_too_does_not_hide_the_failure_it_was_handling() -> None:
    # ASFHyP3/hyp3#911: SubmitJob got a 500 no Retry covered; the Catch's log uploader choked on the error it was
    # given, and the Fail path then hit a JSONPath that the missing logs left out.
    b = EvidenceBook()
    b.add("history", "states:GetExecutionHistory", "State 'INSAR_GAMMA' (batch:submitJob.sync) failed with "
          "TaskSubmitFailed: Batch.AWSBatchException — cause: null (Service: AWSBatch; Status Code: 500; Error Code: "
          "AuthorizerConfigurationException; Request ID: 9db2e8a7)", error="Batch.AWSBatchException",
          state="INSAR_GAMMA")
    b.add("history", "states:GetExecutionHistory", "The Catch of state 'INSAR_GAMMA' then ran state 'UPLOAD_LOG' with "
          '{"Error":"Batch.AWSBatchException"}, which failed too with LambdaFunctionFailed: JSONDecodeError — cause: '
          "errorMessage: Extra data: line 1 column 6 (char 5); errorType: JSONDecodeError", error="JSONDecodeError",
          handler=True)
    b.add("history", "states:GetExecutionHistory", "Execution ended with ExecutionFailed: States.Runtime — cause: The "
          "JSONPath '$.results.get_files.logs' specified for the field 'logs.$' could not be found in the input "
          '\'{"error":{"Error":"JSONDecodeError"}}\'', error="States.Runtime", handler=True)
    assert diagnose(b).cause.category == Category.DEPENDENCY_UNAVAILABLE
    # The same path error on its own is the definition's.
    alone = EvidenceBook()
    alone.add("history", "states:GetExecutionHistory", b.items[2].text, error="States.Runtime")
    assert diagnose(alone).cause.category == Category.CONFIGURATION


@pytest.mark.parametrize(("text", "category"), [
    # aws-samples/aws-cost-explorer-report#15: Cost Explorer never enabled in the payer account.
    ("ClientError: An error occurred (AccessDeniedException) when calling the GetCostAndUsage operation: User not "
     "enabled for cost explorer access", Category.CONFIGURATION),
    ("botocore.exceptions.ClientError: An error occurred (OptInRequired) when calling the DescribeInstances "
     "operation: You are not subscribed to this service.", Category.CONFIGURATION),
    # A real refusal of the same call stays a permission.
    ("ClientError: An error occurred (AccessDeniedException) when calling the GetCostAndUsage operation: User: "
     "arn:aws:sts::123456789012:assumed-role/report/fn is not authorized to perform: ce:GetCostAndUsage",
     Category.PERMISSION_DENIED),
])
def test_a_service_the_account_has_not_turned_on_is_its_setting(text: str, category: Category) -> None:
    assert diagnose(book(text), "lambda").cause.category == category


def test_a_line_a_reader_names_as_offending_is_the_data() -> None:
    # hail-is/hail#361: QUAL and FILTER run together in a VCF line ("4044.57PASS").
    b = book("hail: write: fatal: s3://cohorts/t2d/DIABETES.vcf.bgz: caught java.lang.IllegalArgumentException: "
             "requirement failed", " offending line: 1     23735206        var_1_23735206  C       T       "
             "4044.57PASS     AC=1;AF=1.971e-05")
    assert diagnose(b, "emr").cause.category == Category.BAD_DATA


def test_an_operation_the_sdk_does_not_have_is_the_sdk_not_the_code() -> None:
    # cloud-custodian/cloud-custodian#4501: the Lambda runtime's bundled botocore predated ec2:CreateSnapshots.
    trace = ('  File "/var/task/c7n/resources/ec2.py", line 1363, in process_volume_set\n    result = client.'
             'create_snapshots(\n  File "/var/runtime/botocore/client.py", line 601, in __getattr__\n    self.'
             '__class__.__name__, item)')
    b = book("AttributeError: 'EC2' object has no attribute 'create_snapshots'", trace)
    d = diagnose(b, "lambda")
    assert (d.cause.category, d.cause.signature) == (Category.CONFIGURATION, "sdk-too-old-for-operation")
    # The same AttributeError from the code's own object stays the code's.
    b = book("AttributeError: 'Order' object has no attribute 'create_snapshots'",
             '  File "/var/task/app.py", line 12, in handler\n    order.create_snapshots()')
    assert diagnose(b, "lambda").cause.category == Category.CODE_ERROR


def test_a_spark_script_in_a_python_shell_job_is_the_jobs_type() -> None:
    # aws-samples/amazon-cloudfront-log-analysis#2.
    b = book("ModuleNotFoundError: No module named 'awsglue.transforms'")
    b.add("config", "glue:GetJob", "Job cf-logs-etl: pythonshell job, script s3://scripts/etl.py, Glue 1.0")
    d = diagnose(b, "glue")
    assert (d.cause.category, d.cause.signature) == (Category.CONFIGURATION, "glue-spark-script-in-python-shell-job")
    # The same import in a Spark job is something else (its module list), not the job type.
    b.items[-1].text = "Job cf-logs-etl: glueetl job, script s3://scripts/etl.py, Glue 1.0"
    assert diagnose(b, "glue").cause.signature != "glue-spark-script-in-python-shell-job"


@pytest.mark.parametrize("text", [
    # aws/deep-learning-containers#2094: the task definition never mapped /dev/neuron0 into the container.
    "RuntimeError: The PyTorch Neuron Runtime could not be initialized. Neuron Driver issues are logged",
    "RuntimeError: CUDA error: no CUDA-capable device is detected",
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA "
    "driver is installed and running.",
])
def test_an_accelerator_the_container_cannot_see_is_its_setup(text: str) -> None:
    assert diagnose(book(text), "ecs").cause.category == Category.CONFIGURATION


def test_torch_warning_of_no_gpu_is_no_finding_beside_the_real_failure() -> None:
    # A CPU task's import prints CUDA's warning at every start; the Hub's 504 decides.
    b = book("/usr/local/lib/python3.10/site-packages/torch/cuda/__init__.py:107: UserWarning: CUDA initialization: "
             "Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver",
             "requests.exceptions.HTTPError: 504 Server Error: Gateway Time-out for url: https://huggingface.co/gpt2/"
             "resolve/main/config.json")
    assert diagnose(b, "batch").cause.category == Category.DEPENDENCY_UNAVAILABLE


@pytest.mark.parametrize("message", [
    # apache/arrow#38373: pyarrow 13 on EFS needs a newer glibc than Amazon Linux 2's.
    "Unable to import module 'app': /lib64/libm.so.6: version 'GLIBC_2.27' not found (required by /mnt/efs/"
    "site-packages/pyarrow/libarrow.so.1300)",
    # numpy/numpy#27222: a layer built on a Mac, whose C extensions do not load on Lambda.
    "Unable to import module 'lambda_function': Error importing numpy: you should not try to import numpy from its "
    "source directory; please exit the numpy source tree, and relaunch your python interpreter from there.",
])
def test_a_package_built_for_another_system_is_the_build_not_the_code(message: str) -> None:
    b = EvidenceBook()
    b.add("error", "lambda:responsePayload", f"Runtime.ImportModuleError: {message}",
          error_type="Runtime.ImportModuleError", error_message=message)
    d = diagnose(b, "lambda")
    assert (d.cause.category, d.cause.signature) == (Category.CONFIGURATION, "lambda-binary-built-for-another-system")
    # A module the package lacks stays the deployment's.
    b.items[0].text = "Runtime.ImportModuleError: Unable to import module 'app': No module named 'requests'"
    b.items[0].facts["error_message"] = "Unable to import module 'app': No module named 'requests'"
    assert diagnose(b, "lambda").cause.signature == "lambda-bad-deployment"


def test_advice_to_retry_is_not_a_retry_and_a_clients_deadline_ends_its_retries() -> None:
    # dbt-labs/dbt-bigquery#971: Google's client retried until its deadline, then raised the last 500 with the advice
    # "Retrying may solve the problem.": the failure itself, not a note that it was being retried.
    final = ("Deadline of 600.0s exceeded while calling target function, last exception: 500 Error encountered "
             "during execution. Retrying may solve the problem.")
    assert not was_retried(final) and not is_weak_line(final)
    assert was_retried("500 Error encountered during execution. Retrying in 2.5 seconds.")
    assert not was_retried("Retrying may solve the problem.")


@pytest.mark.parametrize(("entrypoint", "category", "signature"), [
    # aws/aws-lambda-ruby-runtime-interface-client#13: the image's own ENTRYPOINT names a program its build put
    # elsewhere: the image's build
    ("image", Category.CODE_ERROR, "lambda-image-entrypoint-missing"),
    # ... while one the function's ImageConfig sets is the function's setting
    ("function", Category.CONFIGURATION, None),
])
def test_a_container_image_function_that_cannot_start_its_entrypoint(entrypoint: str, category: Category,
                                                                      signature: str | None) -> None:
    b = EvidenceBook()
    b.add("error", "lambda:Invoke", "Runtime.InvalidEntrypoint: RequestId: 0e7c4a92 Error: fork/exec "
          "/usr/local/bin/aws_lambda_ric: no such file or directory", error_type="Runtime.InvalidEntrypoint")
    b.add("config", "lambda:GetFunctionConfiguration", "Function importer: 512 MB memory, timeout 120 s, container "
          "image", **({"image_start": True} if entrypoint == "image" else {}))
    d = signature_set().diagnose(b.items, "lambda", {"function_name": "importer"})
    assert d.cause.category == category
    assert (d.cause.signature == signature) if signature else d.cause.signature != "lambda-image-entrypoint-missing"


def test_a_lambda_process_that_exited_after_its_file_system_refused_a_write_is_its_setup() -> None:
    # aws/aws-lambda-base-images#63: npm, run as the image starts, could not create HOME outside /tmp
    b = book("npm ERR! rofs EROFS: read-only file system, mkdir '/home/sbx_user1051'",
             "RequestId: 4c1e Error: Runtime exited with error: exit status 226\nRuntime.ExitError")
    assert diagnose(b, "lambda").cause.category == Category.CONFIGURATION
    # ... while an exit with nothing before it stays the function's own crash
    assert diagnose(book("RequestId: 4c1e Error: Runtime exited with error: exit status 1\nRuntime.ExitError"),
                    "lambda").cause.category == Category.CODE_ERROR


def test_a_lambda_refused_by_its_own_sandbox_is_its_setup_not_a_service_down() -> None:
    # aws-samples/amazon-guardduty-to-slack#24: a webhook URL without its scheme, requested as a path on localhost
    line = ('2021-12-08T22:57:06.856Z\t3eb1\tERROR\tUncaught Exception \t{"errorType":"Error","errorMessage":"connect '
            'ECONNREFUSED 127.0.0.1:443","code":"ECONNREFUSED"}')
    exited = "RequestId: 3eb1 Error: Runtime exited with error: exit status 129"
    d = diagnose(book(line, exited), "lambda")
    assert (d.cause.category, d.cause.signature) == (Category.CONFIGURATION, "lambda-connection-to-itself-refused")
    # ... while a refusal by another host is no setup of the sandbox: the exit is read as before
    other = diagnose(book(line.replace("127.0.0.1", "10.0.4.17"), exited), "lambda")
    assert (other.cause.category, other.cause.signature) == (Category.CODE_ERROR, "lambda-process-exited")
    # ... and so is the same refusal outside Lambda, where a sidecar may listen on localhost
    assert diagnose(book(line), "ecs").cause.category == Category.DEPENDENCY_UNAVAILABLE


def test_an_s3_event_key_left_encoded_is_read_by_the_service_that_refused_the_object() -> None:
    # aws-samples/amazon-textract-enhancer#1: Textract refuses "Claim+Form+June+2019.pdf" as invalid parameters.
    def run(refusal: str, encoded: bool = True) -> Any:
        b = EvidenceBook()
        if encoded:
            b.add("input", "lambda:requestPayload", "The S3 event's object key is URL-encoded: "
                  "s3://claims-intake/incoming/Claim+Form+June+2019.pdf", s3_key_encoded=True, given=True)
        b.add("log", "/aws/lambda/fn", refusal)
        return signature_set().diagnose(b.items, "lambda", {"function_name": "textract-submit"})

    textract = ("An error occurred (InvalidParameterException) when calling the StartDocumentAnalysis operation: "
                "Request has invalid parameters")
    d = run(textract)
    assert (d.cause.category, d.cause.signature) == (Category.CODE_ERROR, "lambda-s3-event-key-not-decoded")
    assert run("An error occurred (InvalidS3ObjectException) when calling the DetectLabels operation: Unable to get "
               "object metadata from S3. Check object key, region and/or access permissions.").cause.signature \
        == "lambda-s3-event-key-not-decoded"
    # With the key as the event gave it decoded already, the refusal keeps its own reading.
    assert run(textract, encoded=False).cause.signature != "lambda-s3-event-key-not-decoded"


def test_an_aws_event_the_handler_could_not_bind_is_its_type_not_bad_data() -> None:
    # aws/aws-lambda-go#228: CodeBuild sends timeout-in-minutes as 60.0, the library's event type holds an int64.
    error = ("UnmarshalTypeError: json: cannot unmarshal number 60.0 into Go struct field "
             "CodeBuildEventAdditionalInformation.timeout-in-minutes of type int64")

    def run(aws_event: bool) -> Any:
        b = EvidenceBook()
        b.add("input", "lambda:requestPayload", 'Request payload: {"detail-type": "CodeBuild Build State Change", '
              '"source": "aws.codebuild"}', given=True, aws_event=aws_event)
        b.add("error", "lambda:responsePayload", error)
        return signature_set().diagnose(b.items, "lambda", {"function_name": "release-hook"})

    d = run(True)
    assert (d.cause.category, d.cause.signature) == (Category.CODE_ERROR, "lambda-aws-event-not-bound-to-its-type")
    assert "cannot unmarshal number 60.0" in d.cause.explanation
    # ... while a message another program wrote (an SQS body) that does not fit is no bug of the type
    assert run(False).cause.category != Category.CODE_ERROR


def test_a_lambda_out_of_file_descriptors_is_its_code_since_no_setting_raises_them() -> None:
    # IBM/couchbackup#535: a temporary log file opened per backup and never closed, across warm invocations
    line = ("Error: EMFILE: too many open files, open '/tmp/couchbackup/couchbackup-qa_2022-11-15T17:47:52.144Z.log'")
    d = diagnose(book(line), "lambda")
    assert (d.cause.category, d.cause.signature) == (Category.CODE_ERROR, "lambda-file-descriptors-exhausted")
    # ... elsewhere a limit may be raised, and the reading is not the Lambda one
    assert diagnose(book(line), "ecs").cause.signature != "lambda-file-descriptors-exhausted"


def test_a_table_athena_asked_for_in_lower_case_is_the_names_case_not_a_missing_input() -> None:
    # awslabs/aws-athena-query-federation#792: "IoTMulti" asked of a case-sensitive Timestream through its connector
    def run(lowered: bool) -> Any:
        b = EvidenceBook()
        b.add("query", "athena:GetQueryExecution", "Query FAILED: GENERIC_USER_ERROR: Encountered an exception["
              "com.amazonaws.services.timestreamquery.model.ValidationException] from your LambdaFunction[...] with "
              "message[The table 'iotmulti' does not exist in database 'testdb' at line 1:1]")
        if lowered:
            b.add("config", "athena:GetQueryExecution", 'The query names "IoTMulti"; the error names it "iotmulti"',
                  name_lowered=True)
        return signature_set().diagnose(b.items, "athena", {"database": "testdb"})

    d = run(True)
    assert (d.cause.category, d.cause.signature) == (Category.CONFIGURATION, "athena-name-lower-cased")
    # ... while a table named as the query wrote it is missing as before
    assert run(False).cause.category == Category.MISSING_INPUT


def test_a_nested_execution_that_ran_out_of_time_is_a_timeout_not_the_childs_failure() -> None:
    # Stack Overflow 77272615: an Express child with an hour's Wait stops at five minutes; it keeps no history
    def run(status: str) -> Any:
        b = EvidenceBook()
        b.add("history", "states:GetExecutionHistory", f"Nested execution reminder-3f8c of outage-reminder ended "
              f"{status}", nested_failed=True, status=status,
              child_arn="arn:aws:states:eu-west-1:123456789012:express:outage-reminder:reminder-3f8c:b91e")
        return signature_set().diagnose(b.items, "stepfunctions", {"child_execution": "reminder-3f8c"})

    d = run("TIMED_OUT")
    assert (d.cause.category, d.cause.signature) == (Category.TIMEOUT, "sfn-nested-execution-timed-out")
    assert run("FAILED").cause.category == Category.UPSTREAM_FAILURE


def test_a_lambda_task_refused_by_its_own_sandbox_is_its_setup() -> None:
    # ministryofjustice/modernisation-platform#1071: a Slack webhook URL left empty, so the request went to localhost
    def run(task_type: str) -> Any:
        b = EvidenceBook()
        b.add("history", "states:GetExecutionHistory", "State 'NotifySlack' failed with LambdaFunctionFailed: Error — "
              "cause: errorMessage: A request error occurred: connect ECONNREFUSED 127.0.0.1:80", task_type=task_type,
              state="NotifySlack")
        return signature_set().diagnose(b.items, "stepfunctions", {"state": "NotifySlack"})

    d = run("lambda:invoke")
    assert (d.cause.category, d.cause.signature) == (Category.CONFIGURATION, "sfn-lambda-connection-to-itself-refused")
    # ... while an ECS task's refusal on localhost (a sidecar that is not up) stays a dependency that was not there
    assert run("ecs:runTask.sync").cause.category == Category.DEPENDENCY_UNAVAILABLE


def test_an_output_a_second_application_attempt_found_is_no_cause_over_the_first_attempts_failure() -> None:
    # bigdatagenomics/cannoli#137: the first attempt's tasks failed on a missing index; YARN's second attempt of the
    # application then found the output directory the first had begun.
    exists = ("ERROR ApplicationMaster: User class threw exception: org.apache.hadoop.mapred."
              "FileAlreadyExistsException: Output directory chr17.aligned.sam already exists")

    def run(reattempt: bool) -> Any:
        b = EvidenceBook()
        b.add("log", "s3://logs/containers/application_1_0002/container_1_0002_01_000004/stderr.gz",
              "java.lang.RuntimeException: bwa mem exited with code 1: index not found: /mnt/bwa-index/hg38.fa")
        b.add("log", "s3://logs/containers/application_1_0002/container_1_0002_02_000001/stderr.gz", exists,
              **({"reattempt": True} if reattempt else {}))
        return signature_set().diagnose(b.items, "emr", {"step_name": "bwa align"})

    d = run(True)
    assert d.cause.signature != "emr-output-already-exists" and d.cause.category == Category.MISSING_INPUT
    # ... while the same refusal in the application's only attempt is the output left by an earlier run
    assert run(False).cause.signature == "emr-output-already-exists"


def test_a_lambda_exec_wrapper_its_layers_do_not_ship_is_its_setup() -> None:
    # aws-observability/aws-otel-js-instrumentation#227: AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler, not in the layer
    d = diagnose(book("/opt/otel-handler: does not exist",
                      "RequestId: dd6b Error: Runtime exited with error: exit status 127\nRuntime.ExitError"), "lambda")
    assert d.cause.category == Category.CONFIGURATION
    assert "/opt/otel-handler: does not exist" in d.cause.explanation


@pytest.mark.parametrize(("line", "bookkeeping"), [
    ("INIT_REPORT Init Duration: 11.74 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.ExitError", True),
    ("INIT_REPORT Init Duration: 3001.2 ms\tPhase: init\tStatus: error\tError Type: Runtime.OutOfMemory", False),
    ("INIT_REPORT Init Duration: 9.1 ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError", False),
])
def test_an_init_report_that_only_says_the_process_exited_is_bookkeeping(line: str, bookkeeping: bool) -> None:
    assert is_bookkeeping(line) is bookkeeping


@pytest.mark.parametrize(("text", "rule"), [
    ("twilio error 21408: Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
     "configuration-phrases"),
    ("paramiko.ssh_exception.SSHException: No hostkey for host sftp.partner.example found.", "configuration-phrases"),
    # OpenSSL's refusal outranks the connection error it usually comes in: a class of its own (high).
    ("Interop+Crypto+OpenSslCryptographicException: error:0A000152:SSL routines::unsafe legacy renegotiation disabled",
     "configuration-classes"),
])
def test_the_works_setup_is_read_by_its_phrase_not_by_the_wording_alone(text: str, rule: str) -> None:
    # The word model alone reads these as configuration too, at low confidence and without naming why; the report
    # must quote the phrase the class rule knows.
    d = diagnose(book(text), "ecs")
    assert (d.cause.category, d.cause.signature) == (Category.CONFIGURATION, f"class:{rule}")


def test_an_athena_type_mismatch_may_be_the_tables_declared_type_so_it_is_never_high() -> None:
    # gravitational/teleport#69636: the table declared event_time as bigint; the query compared it with timestamps.
    b = EvidenceBook()
    b.add("query", "athena:GetQueryExecution", "Query FAILED: TYPE_MISMATCH: Cannot check if bigint is BETWEEN "
          "timestamp(0) and timestamp(3)")
    d = signature_set().diagnose(b.items, "athena", {"query_id": "q1"})
    assert (d.cause.signature, d.cause.confidence) == ("athena-type-mismatch", Confidence.MEDIUM)
    assert "declares the column" in d.cause.explanation


def test_a_text_over_a_synchronous_calls_size_limit_is_the_codes_not_capacity() -> None:
    # amazon-connect/amazon-connect-salesforce-lambda#20: a whole call transcript sent to DetectSentiment.
    text = ("botocore.errorfactory.TextSizeLimitExceededException: An error occurred (TextSizeLimitExceededException) "
            "when calling the DetectSentiment operation: Input text size exceeds limit. Max length of request text "
            "allowed is 5000 bytes while in this request the text size is 7216 bytes")
    assert diagnose(book(text), "lambda").cause.category == Category.CODE_ERROR
    # A service quota that ran out stays capacity.
    assert diagnose(book("An error occurred (LimitExceededException) when calling the RunJobFlow operation: "
                         "Account limit of vCPUs exceeded"), "emr").cause.category == Category.CAPACITY


def test_the_logging_facades_notes_about_their_own_setup_are_never_the_failure() -> None:
    # The JVM's SLF4J prints these at every start with two bindings on the classpath; Hive notes its log4j file.
    from incident_responder.evidence.compaction import is_routine

    for line in ("SLF4J: See http://www.slf4j.org/codes.html#multiple_bindings for an explanation.",
                 "SLF4J: Class path contains multiple SLF4J bindings.",
                 "log4j:WARN No appenders could be found for logger (org.apache.hadoop.util.Shell).",
                 "Logging initialized using configuration in file:/etc/hive/conf.dist/hive-log4j2.properties Async: "
                 "false"):
        assert is_routine(line), line
    assert not is_routine("FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask.")
    d = diagnose(book("SLF4J: See http://www.slf4j.org/codes.html#multiple_bindings for an explanation."), "emr")
    assert d.cause.category == Category.UNKNOWN


def test_a_client_that_says_it_will_try_again_is_retrying() -> None:
    line = ("WARN  org.apache.pulsar.client.impl.ConnectionHandler - [persistent://analytics/events/clicks] Could not "
            "get connection to broker: Connection refused -- Will try again in 0.1 s")
    assert was_retried(line)
    assert not was_retried("ERROR Could not get connection to broker: Connection refused")


def test_a_producers_own_metrics_it_could_not_upload_are_not_why_its_records_failed() -> None:
    # The Kinesis Producer Library warns that its CloudWatch metrics were refused (a permission the role lacks), then
    # its records expire for want of shards (awslabs/amazon-kinesis-producer#252): the work went on without the
    # metrics, the records are what failed.
    metrics = ("[WARN ] 2019-03-25 15:59:41.531 [kpl-daemon-0003] c.a.s.k.producer.LogInputStreamReader - [error] "
               "[metrics_manager.cc:136] Metrics upload failed. | Code: 403 | Message: User: arn:aws:sts::123456789012:"
               "assumed-role/scribe-replay-job-role/9d1f is not authorized to perform: cloudwatch:PutMetricData")
    expired = ("[ERROR] 2019-03-25 16:27:34.568 [kpl-callback-pool-0-thread-0] scribe - Record failed to put - "
               "Expired : Record has reached expiration")
    assert diagnose(book(metrics, expired), "batch").cause.category == Category.THROTTLING
    # A refusal the program did not go on without stays the cause.
    refused = metrics.replace("Metrics upload failed.", "PutRecords failed.")
    assert diagnose(book(refused, expired), "batch").cause.category == Category.PERMISSION_DENIED


def test_a_build_for_cpu_features_the_host_lacks_is_the_package_chosen() -> None:
    # Polars warns of the CPU features its wheel needs, then the process dies on an illegal instruction: the package.
    warned = ("/data/mindsdb/lib/python3.10/site-packages/polars/_cpu_check.py:244: RuntimeWarning: Missing required "
              "CPU features. The following required CPU features were not detected: avx2, fma, bmi1, bmi2, lzcnt")
    d = diagnose(book(warned, "非法指令"), "ecs")  # "Illegal instruction", as the host's locale wrote it
    # Read by the class rule, which quotes Polars' warning (not a guess from the words alone).
    assert d.cause.category == Category.CONFIGURATION and d.rule == "class:configuration-where-it-runs"
    assert "Missing required CPU features" in d.cause.explanation


@pytest.mark.parametrize(("texts", "category"), [
    # HDF5's lock refused by a file system without locks (E3SM-Project/e3sm_diags#164): the lock line, not the "HDF
    # error" netCDF says after it.
    (("  #003: H5FDsec2.c line 940 in H5FD_sec2_lock(): unable to lock file, errno = 524, error message = 'Unknown "
      "error 524'", "IOError: NetCDF: HDF error: /fsx/e3sm/climo/DECKv1b_H1_ANN_climo.nc"), Category.CONFIGURATION),
    # Kafka Connect's "Error configuring an instance of ..." after the setting it names (memiiso/debezium-server-
    # iceberg#236): no connection failed.
    (("ERROR [io.deb.sto.kaf.his.KafkaSchemaHistory] The 'schema.history.internal.kafka.bootstrap.servers' value is "
      "invalid: A value is required", "ERROR [io.deb.ser.ConnectorLifecycle] Connector completed: success = 'false', "
      "message = 'Error configuring an instance of KafkaSchemaHistory; check the logs for details', error = "
      "'org.apache.kafka.connect.errors.ConnectException: Error configuring an instance of KafkaSchemaHistory; check "
      "the logs for details'"), Category.CONFIGURATION),
    # requests' "403 Client Error" after the body the work logged (aws/chalice#734): the body says why.
    (('ERROR digest: posts API response body: {"message":"Missing Authentication Token"}',
      "requests.exceptions.HTTPError: 403 Client Error: Forbidden for url: https://abc.execute-api.us-east-1."
      "amazonaws.com/api/"), Category.CONFIGURATION),
])
def test_the_line_that_says_why_outranks_what_followed_it(texts: tuple[str, ...], category: Category) -> None:
    assert diagnose(book(*texts), "batch").cause.category == category
