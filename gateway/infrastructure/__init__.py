"""Concrete parts behind the ports: database, identity vault, tokens, convenant loader, Kafka."""
