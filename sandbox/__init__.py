"""The offline sandbox: the whole backend on 127.0.0.1 with no AWS account (``bash scripts/sandbox.sh``).

``server`` runs it (the HTTPS endpoint and the start-up), with ``processes`` (its socket and the moto child),
``lambdas`` (handlers in-process), ``realtime`` (AppSync's WebSocket protocol) and ``logs``; ``stack`` derives what
it serves from a stack's settings and the library's components; ``graphql_api`` speaks AppSync's GraphQL
(validation, execution) with ``appsync_scalars`` (the schema and its scalars), ``authorization`` (auth directives)
and ``subscriptions`` (who gets a published result); ``runtime`` runs the APPSYNC_JS code in Node and executes
data-source requests; ``cognito``, ``tables``, ``sigv4``, ``http_source`` and ``bedrock_stub`` stand in for
Cognito, DynamoDB, IAM mode, HTTP data sources and Bedrock; ``tls`` makes and trusts its certificate.
"""
