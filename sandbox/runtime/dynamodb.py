"""Executes the DynamoDB request objects APPSYNC_JS resolvers return, with boto3 (against moto).

It follows AppSync's DynamoDB resolver reference (JS): the request fields per operation, typed
values as produced by ``util.dynamodb``, results unmarshalled the way AppSync hands them to
``ctx.result`` (Query gives {items, nextToken, scannedCount}; mutations give the item), and
data-source failures as ``ctx.error = {message, type: "DynamoDB:<exception>"}``. On a failed
condition it applies AppSync's documented rule: when the current item already equals the desired
result (PutItem: the item written; DeleteItem: no item) the operation counts as a success.

It is deliberately stricter than AppSync: unknown request fields, placeholders that are used but
not defined (or defined but unused) and DynamoDB validation errors raise DataSourceRequestError,
so a misspelt or silently dropped condition fails (a test, or the request in the sandbox) instead of
passing quietly.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer
from botocore.exceptions import ClientError

from sandbox.runtime.sources import DataSource, DataSourceOutcome, DataSourceRequestError

ALLOWED_FIELDS: dict[str, set[str]] = {
    "GetItem": {"operation", "key", "consistentRead"},
    "PutItem": {"operation", "key", "attributeValues", "condition"},
    "UpdateItem": {"operation", "key", "update", "condition"},
    "DeleteItem": {"operation", "key", "condition"},
    "Query": {
        "operation",
        "query",
        "index",
        "nextToken",
        "limit",
        "scanIndexForward",
        "consistentRead",
        "filter",
    },
}
REQUIRED_FIELDS: dict[str, set[str]] = {
    "GetItem": {"key"},
    "PutItem": {"key"},
    "UpdateItem": {"key", "update"},
    "DeleteItem": {"key"},
    "Query": {"query"},
}
EXPRESSION_FIELDS = {"expression", "expressionNames", "expressionValues"}
CONDITION_FIELDS = EXPRESSION_FIELDS | {"equalsIgnore", "consistentRead"}
ATTRIBUTE_TYPES = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}
NAME_PLACEHOLDER = re.compile(r"#[A-Za-z0-9_]+")
VALUE_PLACEHOLDER = re.compile(r":[A-Za-z0-9_]+")

_deserializer = TypeDeserializer()


def dynamodb_table(name: str, client: Any, table_name: str) -> DataSource:
    """An AMAZON_DYNAMODB data source bound to one table, reached through a boto3 client."""
    return DataSource(kind="AMAZON_DYNAMODB", name=name, config={"client": client, "table_name": table_name})


def _to_wire(value: Any, where: str) -> dict[str, Any]:
    """AppSync typed value ({"N": 5}) -> boto3 low-level AttributeValue ({"N": "5"})."""
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in ATTRIBUTE_TYPES:
        raise DataSourceRequestError(f"{where} is not a typed DynamoDB value (use util.dynamodb): {value!r}")
    kind, inner = next(iter(value.items()))
    if kind == "N":
        return {"N": _number_text(inner, where)}
    if kind == "NS":
        return {"NS": [_number_text(number, where) for number in inner]}
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(blob) for blob in inner]}
    if kind == "L":
        return {"L": [_to_wire(element, f"{where}[{index}]") for index, element in enumerate(inner)]}
    if kind == "M":
        return {"M": _map_to_wire(inner, where)}
    if kind == "NULL":
        return {"NULL": True}  # AppSync's documented toNull() gives {"NULL": null}; DynamoDB wants true
    return {kind: inner}


def _number_text(number: Any, where: str) -> str:
    if isinstance(number, bool) or not isinstance(number, int | float | str):
        raise DataSourceRequestError(f"{where}: N must be a number, got {number!r}")
    return str(number)


def _map_to_wire(values: Any, where: str) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise DataSourceRequestError(f"{where} must be a map of typed values, got {values!r}")
    return {name: _to_wire(value, f"{where}.{name}") for name, value in values.items()}


def _plain(value: Any) -> Any:
    """Deserialised DynamoDB value -> the JSON AppSync gives resolvers (numbers as numbers, sets as lists)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {name: _plain(inner) for name, inner in value.items()}
    if isinstance(value, list | set | frozenset | tuple):
        return [_plain(inner) for inner in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, Binary):
        return base64.b64encode(value.value).decode()
    return value


def _unmarshal(item: dict[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {name: _plain(_deserializer.deserialize(value)) for name, value in item.items()}


def encode_next_token(last_evaluated_key: dict[str, Any] | None) -> str | None:
    """AppSync's nextToken is opaque to clients; here it is the LastEvaluatedKey, base64-encoded."""
    if not last_evaluated_key:
        return None
    return base64.urlsafe_b64encode(
        json.dumps(last_evaluated_key, sort_keys=True, default=str).encode()
    ).decode()


def _decode_next_token(token: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(token.encode()))


def _collect_expressions(request: dict[str, Any]) -> dict[str, Any]:
    """Checks every expression block and merges placeholders, as DynamoDB shares them across expressions."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    used_names: set[str] = set()
    used_values: set[str] = set()
    for part in ("query", "filter", "update", "condition"):
        if part not in request:
            continue
        block = request[part]
        allowed = CONDITION_FIELDS if part == "condition" else EXPRESSION_FIELDS
        unknown = set(block) - allowed if isinstance(block, dict) else {"<not an object>"}
        if unknown:
            raise DataSourceRequestError(f"{part}: fields {sorted(unknown)} are not understood")
        expression = block.get("expression")
        if not isinstance(expression, str) or not expression.strip():
            raise DataSourceRequestError(f"{part}.expression must be a non-empty string, got {expression!r}")
        used_names |= set(NAME_PLACEHOLDER.findall(expression))
        used_values |= set(VALUE_PLACEHOLDER.findall(expression))
        for placeholder, name in (block.get("expressionNames") or {}).items():
            if names.setdefault(placeholder, name) != name:
                raise DataSourceRequestError(f"{placeholder} names two different attributes")
        for placeholder, value in (block.get("expressionValues") or {}).items():
            wire = _to_wire(value, f"{part}.expressionValues.{placeholder}")
            if values.setdefault(placeholder, wire) != wire:
                raise DataSourceRequestError(f"{placeholder} holds two different values")
    missing = (used_names - set(names)) | (used_values - set(values))
    unused = (set(names) - used_names) | (set(values) - used_values)
    if missing or unused:
        raise DataSourceRequestError(
            f"placeholders used but not defined {sorted(missing)}; defined but unused {sorted(unused)}"
        )
    arguments: dict[str, Any] = {}
    if names:
        arguments["ExpressionAttributeNames"] = names
    if values:
        arguments["ExpressionAttributeValues"] = values
    return arguments


def _check_shape(request: dict[str, Any]) -> str:
    operation = request.get("operation")
    if operation not in ALLOWED_FIELDS:
        raise DataSourceRequestError(f"operation must be one of {sorted(ALLOWED_FIELDS)}, got {operation!r}")
    unknown = set(request) - ALLOWED_FIELDS[operation]
    if unknown:
        raise DataSourceRequestError(
            f"{operation}: fields {sorted(unknown)} are not understood (typo, or not emulated)"
        )
    missing = REQUIRED_FIELDS[operation] - set(request)
    if missing:
        raise DataSourceRequestError(f"{operation}: required fields {sorted(missing)} are missing")
    return operation


def _boto_arguments(operation: str, request: dict[str, Any], table_name: str) -> dict[str, Any]:
    arguments: dict[str, Any] = {"TableName": table_name, **_collect_expressions(request)}
    if "key" in request:
        arguments["Key"] = _map_to_wire(request["key"], "key")
    if "consistentRead" in request:
        arguments["ConsistentRead"] = bool(request["consistentRead"])
    if "condition" in request:
        arguments["ConditionExpression"] = request["condition"]["expression"]
    if operation == "PutItem":
        item = _map_to_wire(request.get("attributeValues") or {}, "attributeValues")
        clashing = set(item) & set(arguments["Key"])
        if clashing:
            raise DataSourceRequestError(
                f"PutItem: {sorted(clashing)} appear in both key and attributeValues"
            )
        arguments["Item"] = {**arguments.pop("Key"), **item}
    elif operation == "UpdateItem":
        arguments.update(UpdateExpression=request["update"]["expression"], ReturnValues="ALL_NEW")
    elif operation == "DeleteItem":
        arguments["ReturnValues"] = "ALL_OLD"
    elif operation == "Query":
        arguments["KeyConditionExpression"] = request["query"]["expression"]
        if "filter" in request:
            arguments["FilterExpression"] = request["filter"]["expression"]
        if "index" in request:
            arguments["IndexName"] = request["index"]
        if "limit" in request:
            arguments["Limit"] = request["limit"]
        if "scanIndexForward" in request:
            arguments["ScanIndexForward"] = bool(request["scanIndexForward"])
    return arguments


def _desired_state_reached(
    source: DataSource, operation: str, request: dict[str, Any], arguments: dict[str, Any]
) -> bool:
    """AppSync's rule after a failed condition: does the current item already equal the desired result?"""
    if operation not in ("PutItem", "DeleteItem"):
        return False  # for UpdateItem AppSync cannot compute the desired item: the failure stands
    key = (
        arguments["Key"]
        if operation == "DeleteItem"
        else {name: arguments["Item"][name] for name in request["key"]}
    )
    found = source.config["client"].get_item(TableName=arguments["TableName"], Key=key, ConsistentRead=True)
    current = _unmarshal(found.get("Item"))
    if operation == "DeleteItem":
        return current is None
    if current is None:
        return False
    ignored = set(request["condition"].get("equalsIgnore") or [])
    desired = _unmarshal(arguments["Item"]) or {}

    def compared(item: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in item.items() if name not in ignored}

    return compared(current) == compared(desired)


def execute_dynamodb(source: DataSource, request: dict[str, Any]) -> DataSourceOutcome:
    """Runs one GetItem / PutItem / UpdateItem / DeleteItem / Query request against the bound table."""
    request = {name: value for name, value in request.items() if value is not None}  # JSON null = absent
    operation = _check_shape(request)
    arguments = _boto_arguments(operation, request, source.config["table_name"])
    if operation == "Query" and "nextToken" in request:
        try:
            arguments["ExclusiveStartKey"] = _decode_next_token(request["nextToken"])
        except (ValueError, binascii.Error):
            # The exact wording AppSync uses is not documented; the type says which service failed.
            return DataSourceOutcome(
                error={"message": "Invalid nextToken", "type": "DynamoDB:ValidationException"}
            )
    client = source.config["client"]
    call = {"GetItem": client.get_item, "PutItem": client.put_item, "UpdateItem": client.update_item}
    call |= {"DeleteItem": client.delete_item, "Query": client.query}
    try:
        response = call[operation](**arguments)
    except ClientError as failure:
        code = failure.response["Error"]["Code"]
        message = failure.response["Error"].get("Message", code)
        if code == "ValidationException":
            raise DataSourceRequestError(f"{operation} rejected by DynamoDB: {message}") from failure
        if code == "ConditionalCheckFailedException" and _desired_state_reached(
            source, operation, request, arguments
        ):
            current = None if operation == "DeleteItem" else _unmarshal(arguments["Item"])
            return DataSourceOutcome(result=current)
        return DataSourceOutcome(error={"message": message, "type": f"DynamoDB:{code}"})
    if operation == "Query":
        items = [_unmarshal(item) for item in response.get("Items", [])]
        next_token = encode_next_token(response.get("LastEvaluatedKey"))
        return DataSourceOutcome(
            result={
                "items": items,
                "nextToken": next_token,
                "scannedCount": response.get("ScannedCount", len(items)),
            }
        )
    if operation == "GetItem":
        return DataSourceOutcome(result=_unmarshal(response.get("Item")))
    if operation == "PutItem":
        return DataSourceOutcome(result=_unmarshal(arguments["Item"]))
    return DataSourceOutcome(result=_unmarshal(response.get("Attributes")))
