"""Configuration every HTTP source adapter shares; each adapter adds its own credentials."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel


class _Model(BaseModel):
    # bronnen.yaml speaks camelCase like the rest of the contract; Python code stays snake_case.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


class CircuitBreakerConfig(_Model):
    drempel: int = Field(default=5, ge=1, description="consecutive failures before the circuit opens")
    herstel_seconden: float = Field(default=30.0, gt=0, description="time open before one trial call is let through")


class BronConfig(_Model):
    partner: str | None = Field(default=None, description="the convenant partner that owns this source system")
    base_url: str
    timeout_seconden: float = Field(default=2.0, gt=0, le=60, description="budget per attempt, connect to last byte")
    max_verbindingen: int = Field(default=10, ge=1, le=1000)
    pogingen: int = Field(
        default=2, ge=1, le=5, description="attempts for idempotent reads; anything else is sent once"
    )
    wachttijd_seconden: float = Field(
        default=0.05, ge=0, le=5, description="base of the exponential back-off between attempts"
    )
    max_antwoord_bytes: int = Field(default=1_048_576, ge=1024, description="larger replies are refused unread")
    circuit_breaker: CircuitBreakerConfig = Field(default_factory=CircuitBreakerConfig)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, waarde: str) -> str:
        if not waarde.startswith(("http://", "https://")):
            raise ValueError("baseUrl must start with http:// or https://")
        return waarde.rstrip("/")
