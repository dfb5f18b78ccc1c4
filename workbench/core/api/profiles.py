"""Provider profiles: which API to talk to and how (never the key, which lives in keys.py).

Four kinds: `openai` (the default base URL), `azure` (endpoint + deployment + api-version),
`compatible` (any OpenAI-compatible base URL: proxies, gateways, local servers) and `sandbox`
(the built-in local server, started on demand). Profiles are stored in settings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from workbench.core.errors import BadInputError

KINDS = ("openai", "azure", "compatible", "sandbox")
SANDBOX_NAME = "Sandbox"
OPENAI_NAME = "OpenAI"
DEFAULT_MODEL = "gpt-image-1"
DEFAULT_CHAT_MODEL = "gpt-4.1-mini"
DEFAULT_AZURE_API_VERSION = "2025-04-01-preview"


@dataclass
class Profile:
    """One provider configuration. `base_url` is None for OpenAI's default and the Sandbox."""

    name: str
    kind: str = "openai"
    base_url: str | None = None
    azure_endpoint: str | None = None
    azure_deployment: str | None = None
    api_version: str | None = None
    default_model: str = DEFAULT_MODEL
    chat_model: str = DEFAULT_CHAT_MODEL
    timeout_s: float = 180.0  # longest silence between two reads
    deadline_s: float = 600.0  # longest a whole call may take, however the bytes trickle in
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def needs_key(self) -> bool:
        return self.kind != "sandbox"

    def validate(self) -> None:
        """Raise BadInputError with one line if the profile cannot be used."""
        if not self.name.strip():
            raise BadInputError("a profile needs a name")
        if self.kind not in KINDS:
            raise BadInputError(f"profile {self.name!r}: kind must be one of {', '.join(KINDS)}")
        if self.kind == "compatible" and not self.base_url:
            raise BadInputError(f"profile {self.name!r}: an OpenAI-compatible profile needs a base URL")
        if self.kind == "azure" and not (self.azure_endpoint or self.base_url):
            raise BadInputError(f"profile {self.name!r}: an Azure profile needs an endpoint")
        for url in (self.base_url, self.azure_endpoint):
            if url and not url.startswith(("http://", "https://")):
                raise BadInputError(f"profile {self.name!r}: {url!r} is not an http(s) URL")
        for label, value in (("timeout", self.timeout_s), ("deadline", self.deadline_s)):
            if not isinstance(value, int | float) or not 0 < value <= 86_400:
                raise BadInputError(f"profile {self.name!r}: the {label} must be a positive number of seconds "
                                    f"(at most 24 h), not {value!r}")

    def display_url(self) -> str:
        """The URL to show and to record in history (never contains a key)."""
        if self.kind == "azure":
            base = (self.azure_endpoint or self.base_url or "").rstrip("/")
            dep = f"/openai/deployments/{self.azure_deployment}" if self.azure_deployment else "/openai"
            return base + dep if self.azure_endpoint else base
        if self.kind == "sandbox":
            return self.base_url or "sandbox (local, started on demand)"
        return self.base_url or "https://api.openai.com/v1"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        names = {f.name for f in fields(cls)}
        known = {k: v for k, v in data.items() if k in names and k != "extra"}
        extra = dict(data.get("extra") or {})
        extra.update({k: v for k, v in data.items() if k not in names})
        return cls(**known, extra=extra)


def builtin_profiles() -> list[Profile]:
    """The profiles every installation starts with: the Sandbox and OpenAI."""
    return [
        Profile(name=SANDBOX_NAME, kind="sandbox"),
        Profile(name=OPENAI_NAME, kind="openai"),
    ]


def find_profile(profiles: list[Profile], name: str) -> Profile:
    """The profile called `name` (case-insensitive); BadInputError listing the choices."""
    for profile in profiles:
        if profile.name.casefold() == name.casefold():
            return profile
    choices = ", ".join(p.name for p in profiles) or "none"
    raise BadInputError(f"no profile named {name!r} (profiles: {choices})")
