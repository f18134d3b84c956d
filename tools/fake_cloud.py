"""Plausible computed values for resources evaluated under Pulumi's mock runtime.

The real engine asks AWS for ids, ARNs and URLs; under mocks nothing answers, and an input that
depends on a missing output silently disappears. So every resource type the program declares gets
values shaped like the real ones, derived from its logical name only: the same program always
yields the same values, which keeps ``synth`` output byte-identical between runs.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pulumi

ACCOUNT_ID = "123456789012"


def _digest(*parts: str, length: int, alphabet: str = "0123456789abcdef") -> str:
    raw = hashlib.sha256("\0".join(parts).encode()).digest()
    return "".join(alphabet[byte % len(alphabet)] for byte in raw)[:length]


def _alnum(*parts: str, length: int) -> str:
    return _digest(*parts, length=length, alphabet="abcdefghijklmnopqrstuvwxyz0123456789")


class FakeCloud(pulumi.runtime.Mocks):
    """Answers resource registrations and invokes as AWS would, for one account and region."""

    def __init__(self, region: str) -> None:
        self.region = region

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        token = args.token
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            arn = f"arn:aws:iam::{ACCOUNT_ID}:user/synth"
            return {"accountId": ACCOUNT_ID, "arn": arn, "userId": "AIDASYNTH", "id": ACCOUNT_ID}, []
        if token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region}, []
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, []
        raise NotImplementedError(f"the fake cloud has no answer for invoke {token}")

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = dict(args.inputs)
        physical = inputs.get("name") or f"{args.name}-{_digest(args.typ, args.name, length=7)}"
        resource_id, computed = self._computed(args.typ, args.name, str(physical), inputs)
        # Real providers echo inputs back as state; computed values only fill the gaps.
        return resource_id, {**computed, **inputs}

    def _computed(
        self, typ: str, logical: str, physical: str, inputs: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        region, account = self.region, ACCOUNT_ID
        service = typ.split(":")[1].split("/")[0]
        if typ == "aws:iam/role:Role":
            arn = f"arn:aws:iam::{account}:role/{physical}"
            return physical, {
                "name": physical,
                "arn": arn,
                "uniqueId": "AROA" + _alnum(logical, length=17).upper(),
            }
        if typ == "aws:iam/rolePolicy:RolePolicy":
            return f"{inputs.get('role', 'role')}:{physical}", {"name": physical}
        if typ == "aws:cloudwatch/logGroup:LogGroup":
            arn = f"arn:aws:logs:{region}:{account}:log-group:{physical}"
            return physical, {"name": physical, "arn": arn}
        if typ == "aws:lambda/function:Function":
            arn = f"arn:aws:lambda:{region}:{account}:function:{physical}"
            invoke = f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations"
            return physical, {
                "name": physical,
                "arn": arn,
                "invokeArn": invoke,
                "qualifiedArn": f"{arn}:$LATEST",
                "version": "$LATEST",
            }
        if typ == "aws:dynamodb/table:Table":
            arn = f"arn:aws:dynamodb:{region}:{account}:table/{physical}"
            stream = f"{arn}/stream/2026-01-01T00:00:00.000" if inputs.get("streamEnabled") else None
            return physical, {"name": physical, "arn": arn, **({"streamArn": stream} if stream else {})}
        if typ == "aws:cognito/userPool:UserPool":
            pool_id = f"{region}_{_alnum(logical, length=9)}"
            arn = f"arn:aws:cognito-idp:{region}:{account}:userpool/{pool_id}"
            return pool_id, {
                "name": physical,
                "arn": arn,
                "endpoint": f"cognito-idp.{region}.amazonaws.com/{pool_id}",
            }
        if typ == "aws:cognito/userPoolClient:UserPoolClient":
            return _alnum(logical, length=26), {"name": physical}
        if typ == "aws:cognito/userPoolDomain:UserPoolDomain":
            return str(inputs.get("domain", physical)), {
                "cloudfrontDistribution": f"d{_alnum(logical, length=13)}.cloudfront.net"
            }
        if typ == "aws:cognito/identityProvider:IdentityProvider":
            return f"{inputs.get('userPoolId')}:{inputs.get('providerName')}", {}
        if typ == "aws:cognito/identityPool:IdentityPool":
            identity_pool_id = f"{region}:{_uuid(logical)}"
            arn = f"arn:aws:cognito-identity:{region}:{account}:identitypool/{identity_pool_id}"
            return identity_pool_id, {"arn": arn}
        if typ == "aws:cognito/managedLoginBranding:ManagedLoginBranding":
            return _uuid(logical), {"managedLoginBrandingId": _uuid(logical)}
        if typ == "aws:appsync/graphQLApi:GraphQLApi":
            api_id = _alnum(logical, length=26)
            host = _alnum(logical, "host", length=26)
            uris = {
                "GRAPHQL": f"https://{host}.appsync-api.{region}.amazonaws.com/graphql",
                "REALTIME": f"wss://{host}.appsync-realtime-api.{region}.amazonaws.com/graphql",
            }
            return api_id, {"arn": f"arn:aws:appsync:{region}:{account}:apis/{api_id}", "uris": uris}
        if typ == "aws:appsync/dataSource:DataSource":
            api = inputs.get("apiId")
            return f"{api}-{physical}", {
                "arn": f"arn:aws:appsync:{region}:{account}:apis/{api}/datasources/{physical}"
            }
        if typ == "aws:appsync/function:Function":
            api, function_id = inputs.get("apiId"), _alnum(logical, length=26)
            arn = f"arn:aws:appsync:{region}:{account}:apis/{api}/functions/{function_id}"
            return f"{api}-{function_id}", {"functionId": function_id, "arn": arn}
        if typ == "aws:appsync/resolver:Resolver":
            api, type_name, field = inputs.get("apiId"), inputs.get("type"), inputs.get("field")
            arn = f"arn:aws:appsync:{region}:{account}:apis/{api}/types/{type_name}/resolvers/{field}"
            return f"{api}-{type_name}-{field}", {"arn": arn}
        if typ == "aws:lambda/layerVersion:LayerVersion":
            layer_arn = f"arn:aws:lambda:{region}:{account}:layer:{inputs.get('layerName', physical)}"
            return f"{layer_arn}:1", {"arn": f"{layer_arn}:1", "layerArn": layer_arn, "version": "1"}
        if typ == "aws:sqs/queue:Queue":
            url = f"https://sqs.{region}.amazonaws.com/{account}/{physical}"
            return url, {"name": physical, "arn": f"arn:aws:sqs:{region}:{account}:{physical}", "url": url}
        if typ == "aws:amplify/app:App":
            app_id = "d" + _alnum(logical, length=13)
            return app_id, {
                "arn": f"arn:aws:amplify:{region}:{account}:apps/{app_id}",
                "defaultDomain": f"{app_id}.amplifyapp.com",
            }
        arn = f"arn:aws:{service}:{region}:{account}:{typ.split(':')[-1].lower()}/{physical}"
        return physical, {"arn": arn}


def _uuid(seed: str) -> str:
    hexes = _digest(seed, length=32)
    return f"{hexes[:8]}-{hexes[8:12]}-{hexes[12:16]}-{hexes[16:20]}-{hexes[20:]}"
