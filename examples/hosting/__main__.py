"""Amplify Hosting for a Next.js (SSR) frontend, fed the client config of a backend deployed elsewhere.

``Hosting`` creates the Amplify app and the branch; every build writes ``amplify_outputs.json`` from branch
variables before ``npm run build``, so the frontend always connects to this backend. A backend built with these
components gets the whole document from ``client_config.amplify_outputs``; here a small one is written by hand
from the backend's ids.
"""

import pulumi

from genai_backend_components.client_config import OUTPUTS_VERSION
from genai_backend_components.hosting import Hosting, HostingArgs

config = pulumi.Config()
region = pulumi.Config("aws").require("region")

# What Amplify JS needs to sign users in and call the API (the amplify_outputs.json format).
amplify_outputs = {
    "version": OUTPUTS_VERSION,
    "auth": {
        "aws_region": region,
        "user_pool_id": config.require("userPoolId"),
        "user_pool_client_id": config.require("userPoolClientId"),
    },
    "data": {
        "aws_region": region,
        "url": config.require("graphqlUrl"),
        "default_authorization_type": "AMAZON_COGNITO_USER_POOLS",
        "authorization_types": [],
    },
}

hosting = Hosting(
    "web",
    HostingArgs(
        repository=config.require("repository"),
        branch=config.get("branch") or "main",
        # Set with `pulumi config set --secret accessToken <token>`: it stays encrypted in config and state.
        access_token=config.require_secret("accessToken"),
        production=config.get_bool("production") or False,
        amplify_outputs=amplify_outputs,
        environment_variables={"NEXT_PUBLIC_SITE_NAME": "Notes"},
    ),
)

pulumi.export("url", hosting.url)
pulumi.export("appId", hosting.app_id)
