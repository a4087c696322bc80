"""Use cases: orchestrate the domain and the ports. No web, no SQL, no Kafka here."""
