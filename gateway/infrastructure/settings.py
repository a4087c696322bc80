"""Configuration from KETENPOORT_* environment variables (pydantic-settings); CLI flags win."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Instellingen(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KETENPOORT_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./ketenpoort.db"
    kafka_bootstrap: str | None = None
    audit_topic: str = "ketenpoort.audit.v1"
    events_topic: str = "ketenpoort.gebeurtenissen.v1"
    config_dir: Path = Path("deploy/demo")
    identity_key: SecretStr | None = None
    signing_key: Path | None = None
    token_issuer: str = "urn:nld:ketenpoort:issuer"
    token_audience: str = "ketenpoort"
    token_ttl_seconds: int = Field(default=900, ge=60, le=86400)
    # RS256 private key (PKCS8 PEM) of the built-in issuer. Unset: a fresh key per process, which is
    # fine for one process; several workers or replicas must share one key to accept each other's tokens.
    token_key: Path | None = None
    jwks_url: str | None = None
    verwijzing_deadline_seconds: float = Field(default=3.0, gt=0, le=60)
    # Lookups in progress per worker; the rest queue before they touch the database (bench/README.md).
    max_lopende_opvragingen: int = Field(default=16, ge=1, le=1024)
    max_body_bytes: int = 64 * 1024
    log_level: str = "INFO"
    log_json: bool = True

    # --- Identity key rotation (docs/sleutelrotatie-identiteit.md) ---
    # IDENTITY_KEY is key version IDENTITY_KEY_VERSION (1 when unset: the key you always had). During a
    # rotation, the keys it replaces stay in IDENTITY_KEYS_PREVIOUS as JSON {"1": "<old key>"}, so rows
    # not yet re-keyed are still found and decrypted (every key listed is read; several replicas list the new
    # key here before it becomes current). Remove them once `sleutels identiteit status` shows none left.
    identity_key_version: int = Field(default=1, ge=1)
    identity_keys_previous: dict[int, SecretStr] = Field(default_factory=dict)

    # --- audit witnesses (issue 9) ---------------------------------------------------------------
    # Append-only directory that receives a copy of every checkpoint right after it commits (one file
    # each, never overwritten; docs/audit.md). Unset: checkpoints are witnessed by Kafka only.
    checkpoint_dir: Path | None = None

    # --- API contract (issue 10, docs/api.md): browser origins for CORS (comma-separated or JSON list;
    # empty: no browser access except the public OpenAPI document) and the request-header limit.
    cors_origins: list[str] = []
    max_header_bytes: int = Field(default=16 * 1024, ge=1024, le=1024 * 1024)
    stream_ticket_seconds: int = Field(default=30, ge=5, le=300)

    # --- issue 11 (need-to-know): lookups only in a window around the overleg's date (days before / after)
    opvraag_venster_dagen_voor: int = Field(default=30, ge=0, le=366)
    opvraag_venster_dagen_na: int = Field(default=7, ge=0, le=366)

    # --- faults (issue 17, docs/storingen.md) ---------------------------------------------------
    # Bound on every database call (statement, connection acquire, connect). Unset: the lookup deadline + 2 s.
    database_timeout_seconds: float | None = Field(default=None, gt=0, le=300)
    retry_after_seconds: int = Field(default=2, ge=1, le=3600)  # Retry-After of a 503
    relay_lease_seconds: float = Field(default=10.0, ge=1, le=300)  # relay leadership lease
    # Outbox rows sent (or, without Kafka, written) longer ago than this are deleted; the ledger stays.
    outbox_bewaar_seconds: float = Field(default=3600.0, ge=60)
    # /ready fails when a write failed this recently, when no relay led this long, or when the oldest
    # unsent outbox row is this old.
    ready_schrijffout_seconds: float = Field(default=30.0, ge=0)
    ready_geen_leider_seconds: float = Field(default=30.0, ge=1)
    ready_outbox_leeftijd_seconds: float = Field(default=300.0, ge=1)
    # A keep-alive connection is closed after this many requests or seconds, so a client reconnects and
    # the kernel may hand it to another worker (requests spread over the workers of one serve).
    keepalive_max_verzoeken: int = Field(default=100, ge=0)  # 0: unbounded
    keepalive_max_seconds: float = Field(default=30.0, ge=0)  # 0: unbounded

    @property
    def database_timeout(self) -> float:
        if self.database_timeout_seconds is not None:
            return self.database_timeout_seconds
        return self.verwijzing_deadline_seconds + 2.0
