"""SQLAlchemy Core tables. One metadata with a naming convention, so migrations stay deterministic."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    Uuid,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTC(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect):  # noqa: ANN001
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


HUIS = String(64)
PARTNER = String(64)

betrokkenen = Table(
    "betrokkenen",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("huis", HUIS, nullable=False, index=True),
    Column("aangemaakt_op", UTC, nullable=False),
)

# The identity row is the only link between person and betrokkene id: deleting it at the end of
# the retention term unlinks the audit trail from the person without touching the chain.
identiteiten = Table(
    "identiteiten",
    metadata,
    Column("betrokkene_id", Uuid, ForeignKey("betrokkenen.id", ondelete="CASCADE"), primary_key=True),
    Column("huis", HUIS, nullable=False),
    Column("pseudoniem", String(64), nullable=False),
    Column("bsn_versleuteld", LargeBinary, nullable=False),
    Column("geboortedatum", Date, nullable=True),
    # The identity key version the row was made with (docs/sleutelrotatie-identiteit.md); rotation walks this index.
    Column("sleutelversie", Integer, nullable=False, server_default=text("1")),
    Index("uq_identiteiten_huis_pseudoniem", "huis", "pseudoniem", unique=True),
    Index("ix_identiteiten_sleutelversie", "sleutelversie", "betrokkene_id"),
)

casussen = Table(
    "casussen",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("huis", HUIS, nullable=False),
    Column("thema", String(64), nullable=False),
    Column("status", String(32), nullable=False),
    Column("gemeente", String(100), nullable=False),
    Column("betrokkene_id", Uuid, ForeignKey("betrokkenen.id"), nullable=False),
    Column("aangemeld_door", PARTNER, nullable=False),
    Column("aangemeld_op", UTC, nullable=False),
    Column("casusregisseur", PARTNER, nullable=True),
    Column("afgesloten_op", UTC, nullable=True),
    Column("afsluit_reden", String(500), nullable=True),
    Index("ix_casussen_huis_thema_status", "huis", "thema", "status"),
    Index("ix_casussen_betrokkene", "huis", "betrokkene_id"),
    # One open casus per person and thema, enforced by the database even under concurrency.
    Index(
        "uq_casussen_open_per_thema",
        "huis",
        "betrokkene_id",
        "thema",
        unique=True,
        postgresql_where=text("status <> 'afgesloten'"),
        sqlite_where=text("status <> 'afgesloten'"),
    ),
)

overleggen = Table(
    "overleggen",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("huis", HUIS, nullable=False, index=True),
    Column("overlegtype", String(64), nullable=False),
    Column("datum", Date, nullable=False),
    Column("gepland_door", PARTNER, nullable=False),
    Column("gepland_op", UTC, nullable=False),
    Column("gemeente", PARTNER, nullable=True),  # 0006: a nazorg meeting's municipality of return
)

agendapunten = Table(
    "agendapunten",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("overleg_id", Uuid, ForeignKey("overleggen.id", ondelete="CASCADE"), nullable=False),
    Column("casus_id", Uuid, ForeignKey("casussen.id"), nullable=False),
    Column("volgorde", Integer, nullable=False),
    Index("uq_agendapunten_overleg_casus", "overleg_id", "casus_id", unique=True),
)

afspraken = Table(
    "afspraken",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("huis", HUIS, nullable=False),
    Column("casus_id", Uuid, ForeignKey("casussen.id"), nullable=False, index=True),
    Column("uitvoerder", PARTNER, nullable=False),
    Column("actie", String(500), nullable=False),
    Column("deadline", Date, nullable=False),
    Column("status", String(32), nullable=False),
    Column("vastgelegd_door", PARTNER, nullable=False),
    Column("vastgelegd_op", UTC, nullable=False),
    Column("overleg_id", Uuid, ForeignKey("overleggen.id"), nullable=True),
    Column("toelichting", String(1000), nullable=True),
    Column("gewijzigd_op", UTC, nullable=True),
    Column("verloop_gemeld_op", UTC, nullable=True),
    Index("ix_afspraken_huis_status_deadline", "huis", "status", "deadline"),
)

toestemmingen = Table(
    "toestemmingen",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("huis", HUIS, nullable=False),
    Column("casus_id", Uuid, ForeignKey("casussen.id"), nullable=False, index=True),
    Column("categorie", String(64), nullable=False),
    Column("gegeven_door", String(32), nullable=False),
    Column("geldig_tot", Date, nullable=True),
    Column("vastgelegd_door", PARTNER, nullable=False),
    Column("vastgelegd_op", UTC, nullable=False),
    # 0006: consent as a record with a source; withdrawal keeps the row (audited)
    Column("ontvangers", JSON, nullable=True),
    Column("doel", String(500), nullable=True),
    Column("bewijs", String(200), nullable=True),
    Column("ingetrokken_op", UTC, nullable=True),
    Column("ingetrokken_door", PARTNER, nullable=True),
)

verwijzingen = Table(
    "verwijzingen",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("huis", HUIS, nullable=False),
    Column("casus_id", Uuid, ForeignKey("casussen.id"), nullable=False, index=True),
    Column("betrokkene_id", Uuid, nullable=False),
    Column("bron", PARTNER, nullable=False),
    Column("bronsysteem", String(32), nullable=False),
    Column("bekend_sinds", Date, nullable=True),
    Column("contactpunt", JSON, nullable=True),
    Column("referentie", String(200), nullable=True),
    Column("bron_peildatum", UTC, nullable=True),
    Column("opgehaald_op", UTC, nullable=False),
    Column("opgehaald_voor", PARTNER, nullable=False),
    Column("overleg_id", Uuid, nullable=True),
    Column("regel", String(64), nullable=True),
)

# Per-house counters, locked inside every audited transaction: this row serialises the chain.
huis_tellers = Table(
    "huis_tellers",
    metadata,
    Column("huis", HUIS, primary_key=True),
    Column("volgnummer", BigInteger, nullable=False),
    Column("laatste_hash", String(64), nullable=False),
    Column("gebeurtenis_positie", BigInteger, nullable=False),
    # The Merkle tree's compact frontier (64 hex per perfect subtree, largest first); NULL: rebuild from the ledger.
    Column("boom_frontier", Text, nullable=True),
)

# Perfect Merkle subtrees of 2**4 leaves and more, stored as they complete (gateway/domain/merkle.py).
audit_boomknopen = Table(
    "audit_boomknopen",
    metadata,
    Column("huis", HUIS, primary_key=True),
    Column("niveau", Integer, primary_key=True, autoincrement=False),
    Column("positie", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
)

# The durable audit ledger: the source of truth; Kafka is the distribution.
audit_ledger = Table(
    "audit_ledger",
    metadata,
    Column("huis", HUIS, primary_key=True),
    Column("volgnummer", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("hash", String(64), nullable=False),
    Column("tijdstip", UTC, nullable=False),
    Column("handeling", String(64), nullable=False),
    Column("besluit", String(16), nullable=False),
    Column("partner", PARTNER, nullable=True),
    Column("betrokkene", Uuid, nullable=True),
    Column("event", JSON, nullable=False),
    Index("ix_audit_ledger_betrokkene", "huis", "betrokkene"),
    Index("ix_audit_ledger_tijdstip", "huis", "tijdstip"),
)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("huis", HUIS, primary_key=True),
    Column("volgnummer", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("hash", String(64), nullable=False),
    Column("handtekening", Text, nullable=False),
    Column("sleutel_id", String(100), nullable=False),
    Column("event", JSON, nullable=False),
)

# Domain events for front-ends; `positie` is gapless per house (assigned under the house lock).
gebeurtenissen = Table(
    "gebeurtenissen",
    metadata,
    Column("huis", HUIS, primary_key=True),
    Column("positie", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("type", String(100), nullable=False),
    Column("sleutel", Uuid, nullable=False),
    Column("thema", String(64), nullable=True),
    Column("overlegtype", String(64), nullable=True),
    Column("event", JSON, nullable=False),
)

# Transactional outbox: written with the change, published by the relay, marked after the ack.
outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("huis", HUIS, nullable=False),
    Column("topic", String(32), nullable=False),  # "audit" or "gebeurtenissen": the relay maps to topic names
    Column("sleutel", String(100), nullable=False),
    Column("event", JSON, nullable=False),
    Column("aangemaakt_op", UTC, nullable=False),
    Column("verzonden_op", UTC, nullable=True),
    Index("ix_outbox_onverzonden", "verzonden_op", "id"),
)


# --- faults (issue 17, docs/storingen.md) ---------------------------------------------------
# Relay leadership as a lease with a fencing token: one row per relay group, renewed before every
# publishing round. Times are milliseconds since the epoch on the database's clock (PostgreSQL) so
# replicas with skewed clocks still agree on who holds it.
relay_leiderschap = Table(
    "relay_leiderschap",
    metadata,
    Column("naam", String(32), primary_key=True),
    Column("houder", String(100), nullable=True),
    Column("token", BigInteger, nullable=False, default=0),
    Column("verloopt_ms", BigInteger, nullable=False, default=0),
    Column("vernieuwd_ms", BigInteger, nullable=False, default=0),
)

# /ready's write probe: one row per probe name, updated in a committed transaction.
schrijfproef = Table(
    "schrijfproef",
    metadata,
    Column("naam", String(64), primary_key=True),
    Column("tijdstip", UTC, nullable=False),
)
