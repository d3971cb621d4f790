"""What stands between the public HTTP API and its expensive parts: who the client is (trusted-proxy
aware), per-client and per-action rate limits, and the bounded admission gate.

Defaults suit one small server: 60 verifications per client per minute, 600 per action (all clients)
per minute, 600 relayed votes per proposal per minute (the relay's per-client limit is Services'
rate_limiter), 4 proof checks at once with 32 waiting up to 10 s. `ApiGuard.from_settings` reads
overrides from the typed settings (personhood/config.py): `verify_rate`, `verify_action_rate`,
`relay_proposal_rate` ("REQUESTS/SECONDS"), `trusted_proxies` (comma-separated CIDRs), `max_in_flight`,
`max_queue`,
`queue_wait_s`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import Request

from .admission import AdmissionGate, Capacity
from .client_address import ClientAddress
from .errors import SetupMissingError
from .rate_limit import RateLimit, RateLimiter

VERIFY_PER_CLIENT = RateLimit(60, 60.0)
VERIFY_PER_ACTION = RateLimit(600, 60.0)
RELAY_PER_PROPOSAL = RateLimit(600, 60.0)


@dataclass(frozen=True)
class ApiGuard:
    """The limiters, the gate and the client resolver one app shares."""

    verify_per_client: RateLimiter = field(default_factory=lambda: RateLimiter(VERIFY_PER_CLIENT))
    verify_per_action: RateLimiter = field(default_factory=lambda: RateLimiter(VERIFY_PER_ACTION))
    gate: AdmissionGate = field(default_factory=AdmissionGate)
    addresses: ClientAddress = field(default_factory=ClientAddress)
    relay_per_proposal: RateLimiter = field(default_factory=lambda: RateLimiter(RELAY_PER_PROPOSAL))

    def client(self, request: Request) -> str:
        """The rate-limit key of the request's client."""
        return self.addresses.resolve(request.remote_addr, request.headers.get("X-Forwarded-For"))

    @classmethod
    def from_settings(cls, extra: Mapping[str, object]) -> ApiGuard:
        """A guard from the API-limit settings that are set (Settings.given); SetupMissingError for a
        malformed one."""
        try:
            capacity = Capacity(
                int(extra.get("max_in_flight", Capacity.max_in_flight)),
                int(extra.get("max_queue", Capacity.max_queue)),
                float(extra.get("queue_wait_s", Capacity.max_wait_s)),
            )
            per_client = (
                RateLimit.parse(extra["verify_rate"]) if "verify_rate" in extra else VERIFY_PER_CLIENT
            )
            per_action = (
                RateLimit.parse(extra["verify_action_rate"])
                if "verify_action_rate" in extra
                else VERIFY_PER_ACTION
            )
            per_proposal = (
                RateLimit.parse(extra["relay_proposal_rate"])
                if "relay_proposal_rate" in extra
                else RELAY_PER_PROPOSAL
            )
            proxies = ClientAddress.from_strings(str(extra.get("trusted_proxies", "")).split(","))
        except (ValueError, TypeError) as e:
            raise SetupMissingError(f"the API limit settings are malformed: {e}") from e
        return cls(
            RateLimiter(per_client),
            RateLimiter(per_action),
            AdmissionGate(capacity),
            proxies,
            RateLimiter(per_proposal),
        )
