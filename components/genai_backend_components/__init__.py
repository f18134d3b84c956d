"""Pulumi components for an Amplify Gen 2 compatible GenAI backend on AWS.

One subpackage per component (``auth``, ``table``, ``function``, ``graphql``, ``generation``,
``conversation``, ``hosting``), each with its typed args, its checks and the code it deploys; helpers for
IAM, Bedrock and the Amplify client config beside them. No module reads Pulumi config, environment
variables or files other than those passed in its args and its own packaged code.
"""

from .package import PACKAGE_NAME, PACKAGE_VERSION
from .validation import InvalidArgsError, Problem

__all__ = ["PACKAGE_NAME", "PACKAGE_VERSION", "InvalidArgsError", "Problem"]
__version__ = PACKAGE_VERSION
