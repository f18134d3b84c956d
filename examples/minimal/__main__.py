"""Minimal reuse of the components: a Lambda function with managed logging that writes to a DynamoDB table.

Everything the components need comes through their args; nothing here depends on the repository the
components come from, only on the installed ``genai-backend-components`` package.
"""

from pathlib import Path

import pulumi

from components.function import LoggedFunction, LoggedFunctionArgs
from components.table import Table, TableArgs

HANDLER_FOLDER = Path(__file__).resolve().parent / "functions" / "hello"

protect_data = pulumi.Config().get_bool("protectData") or False

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
        application_log_level="INFO",
    ),
)
# Item reads and writes on this one table, as an inline policy of the function's role.
greetings.grant_read_write(hello.role, "hello")

pulumi.export("functionName", hello.name)
pulumi.export("tableName", greetings.name)
