"""A Lambda function with managed JSON logging that stores greetings in a DynamoDB table.

``LoggedFunction`` gives the function its own role and its own log group with a retention; the table's grant
helper then lets that role read and write this one table, and nothing else.
"""

from pathlib import Path

import pulumi

from genai_backend_components.function import LoggedFunction, LoggedFunctionArgs
from genai_backend_components.table import Table, TableArgs

# The handler package ships from this project's folder; the archive holds it as hello/handler.py.
HANDLER_FOLDER = Path(__file__).resolve().parent / "functions" / "hello"

config = pulumi.Config()
protect_data = config.get_bool("protectData") or False
log_level = config.get("logLevel") or "INFO"

greetings = Table(
    "greetings",
    TableArgs(hash_key="id", attribute_types={"id": "S"}, protect_data=protect_data),
)
hello = LoggedFunction(
    "hello",
    LoggedFunctionArgs(
        code_path=str(HANDLER_FOLDER),
        handler="hello.handler.handler",
        environment={"TABLE_NAME": greetings.name},
        log_retention_days=14,
        # Lambda filters the stdlib logger's records by this level; the handler needs no logging setup.
        application_log_level=log_level,
    ),
)
# Item reads and writes on this table only, as an inline policy of the function's role.
greetings.grant_read_write(hello.role, "hello")

pulumi.export("functionName", hello.name)
pulumi.export("logGroupName", hello.log_group_name)
pulumi.export("tableName", greetings.name)
