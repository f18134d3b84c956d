"""Sign-in for a web app: passwords, one-time email codes and passkeys, with Cognito's managed login pages.

``Auth`` creates the user pool (email is the username), one public web client (authorization code with PKCE,
no secret) and the managed login domain with its branding. Passwordless factors need the ESSENTIALS tier (the
default) and SES for the codes; passkeys are bound to the app's host.
"""

from urllib.parse import urlparse

import pulumi

from genai_backend_components.auth import (
    Auth,
    AuthArgs,
    FirstAuthFactor,
    HostedDomain,
    Passkeys,
    SesEmailSender,
    UserGroup,
)

config = pulumi.Config()
region = pulumi.Config("aws").require("region")
app_url = (config.get("appUrl") or "http://localhost:3000").rstrip("/")

auth = Auth(
    "auth",
    AuthArgs(
        region=region,
        protect_data=config.get_bool("protectData") or False,
        # Cognito keeps PASSWORD as a first factor; the others are offered beside it.
        first_auth_factors=[FirstAuthFactor.PASSWORD, FirstAuthFactor.EMAIL_OTP, FirstAuthFactor.WEB_AUTHN],
        preferred_challenge=FirstAuthFactor.EMAIL_OTP,
        # Passkeys registered from the app through the Amplify SDK belong to the app's host.
        passkeys=Passkeys(relying_party_id=urlparse(app_url).hostname or "localhost"),
        # One-time codes go out through SES only.
        email_sender=SesEmailSender(
            source_arn=config.require("sesIdentityArn"),
            from_email_address=config.require("fromEmail"),
        ),
        hosted_domain=HostedDomain(prefix=config.require("domainPrefix")),
        callback_urls=[f"{app_url}/"],
        logout_urls=[f"{app_url}/"],
        groups=[UserGroup(name="admins", description="May manage every user's notes")],
    ),
)

pulumi.export("userPoolId", auth.user_pool_id)
pulumi.export("userPoolClientId", auth.client_id)
pulumi.export("managedLoginHost", auth.managed_login_host)
pulumi.export("issuerUrl", auth.issuer_url)
