"""Where Bedrock's system-defined inference profiles may be called from, and where they route to.

A geographic profile id starts with its geography's prefix (``us.``, ``eu.``, ``apac.``...); which
prefix a Region may use, and which Regions the profile may send the call to, decide both the id to call
and the foundation-model ARNs to grant (``genai_backend_components.bedrock``). These tables are that knowledge alone,
kept apart so a new Region or geography is a change to data, not to the IAM logic.

Geography choices (sources: the Amazon Bedrock User Guide, "Supported Regions and models for inference
profiles"; the AWS Machine Learning blog on cross-Region inference from Canada, Nov 2025):

* Tokyo/Osaka and Sydney/Melbourne can call both the broad ``apac`` profiles and the narrow
  ``jp``/``au`` ones. The default is ``apac`` because it exists for far more models (Claude 3-4,
  Nova, Llama...); ``jp``/``au`` exist only for the newest Claude models. Pass ``geography="jp"``
  or ``"au"`` for those, or to keep prompts in the country (``apac`` may route to the UAE).
* Canada Central calls the ``us`` profiles (AWS: "US or Global profiles"), so ``us`` is its
  default. A ``ca.`` prefix appears only in third-party code: UNVERIFIED, so opt-in only.
* A profile's real destinations depend on the model; each geography lists every Region it may
  use. Granting that superset is safe: the foundation-model grants only hold for calls made
  through the configured profile (``bedrock:InferenceProfileArn`` condition).
"""

from collections.abc import Mapping
from dataclasses import dataclass


class BedrockConfigError(ValueError):
    """A model choice that cannot work; raised before any resource is declared."""


@dataclass(frozen=True)
class Geography:
    """One family of system-defined profiles sharing an id prefix."""

    source_regions: frozenset[str]
    """Regions that may call profiles with this prefix."""
    destination_regions: frozenset[str]
    """Every Region such a profile may route to (the per-model set is a subset)."""
    partition: str = "aws"
    """ARN partition of these Regions."""


def _regions(names: str) -> frozenset[str]:
    return frozenset(names.split())


_US = _regions("us-east-1 us-east-2 us-west-1 us-west-2")
_EU = _regions("eu-central-1 eu-central-2 eu-west-1 eu-west-2 eu-west-3 eu-north-1 eu-south-1 eu-south-2")
_APAC = _regions(
    "ap-northeast-1 ap-northeast-2 ap-northeast-3 ap-south-1 ap-south-2 ap-southeast-1 ap-southeast-2 "
    "ap-southeast-3 ap-southeast-4 ap-southeast-5 ap-southeast-7 ap-east-2"
)
_JAPAN = _regions("ap-northeast-1 ap-northeast-3")
_AUSTRALIA = _regions("ap-southeast-2 ap-southeast-4")
_CANADA = _regions("ca-central-1 ca-west-1")
_GOVCLOUD = _regions("us-gov-east-1 us-gov-west-1")

GEOGRAPHIES: Mapping[str, Geography] = {
    "us": Geography(source_regions=_US | {"ca-central-1"}, destination_regions=_US),
    "eu": Geography(source_regions=_EU, destination_regions=_EU),
    "apac": Geography(source_regions=_APAC, destination_regions=_APAC | {"me-central-1"}),
    "jp": Geography(source_regions=_JAPAN, destination_regions=_JAPAN),
    "au": Geography(source_regions=_AUSTRALIA, destination_regions=_AUSTRALIA),
    "ca": Geography(source_regions=_CANADA, destination_regions=_CANADA),  # UNVERIFIED, opt-in only
    "us-gov": Geography(source_regions=_GOVCLOUD, destination_regions=_GOVCLOUD, partition="aws-us-gov"),
}
BROAD_GEOGRAPHIES: tuple[str, ...] = ("us", "eu", "apac", "us-gov")
"""Chosen by default; the others (jp, au, ca) only when the caller names them."""

PROFILE_PREFIXES: frozenset[str] = frozenset(GEOGRAPHIES) | {"global"}

_OTHER_COMMERCIAL_REGIONS = _regions("sa-east-1 mx-central-1 af-south-1 me-south-1 me-central-1 il-central-1")
COMMERCIAL_REGIONS: frozenset[str] = _US | _EU | _APAC | _CANADA | _OTHER_COMMERCIAL_REGIONS
"""Regions in the ``aws`` partition this module knows; global profiles are called from these."""
SUPPORTED_REGIONS: frozenset[str] = COMMERCIAL_REGIONS | _GOVCLOUD


def _allowed(values: frozenset[str] | tuple[str, ...]) -> str:
    return ", ".join(sorted(values))


def partition_for_region(region: str) -> str:
    """The ARN partition of a supported Region; ARNs with the wrong one never match anything."""
    if region not in SUPPORTED_REGIONS:
        raise BedrockConfigError(
            f"region {region!r} is not supported; allowed: {_allowed(SUPPORTED_REGIONS)}"
        )
    return GEOGRAPHIES["us-gov"].partition if region in _GOVCLOUD else "aws"


def geography_for_region(region: str, geography: str | None = None) -> str:
    """The profile prefix for calls from ``region``: the broad one unless ``geography`` overrides it."""
    partition_for_region(region)
    if geography is not None:
        if geography not in GEOGRAPHIES:
            raise BedrockConfigError(
                f"geography {geography!r} is unknown; allowed: {_allowed(frozenset(GEOGRAPHIES))}"
            )
        if region not in GEOGRAPHIES[geography].source_regions:
            sources = _allowed(GEOGRAPHIES[geography].source_regions)
            raise BedrockConfigError(
                f"geography {geography!r} has no profiles callable from region {region!r}; "
                f"its source regions are: {sources}"
            )
        return geography
    for candidate in BROAD_GEOGRAPHIES:
        if region in GEOGRAPHIES[candidate].source_regions:
            return candidate
    opt_in = [name for name, geo in GEOGRAPHIES.items() if region in geo.source_regions]
    raise BedrockConfigError(
        f"region {region!r} has no default geographic inference profile; use mode 'in-region' or "
        f"'global'" + (f", or name geography {' or '.join(map(repr, opt_in))}" if opt_in else "")
    )
