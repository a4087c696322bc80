"""FastAPI: thin endpoints over the services, problem+json errors, NL API Design Rules."""
