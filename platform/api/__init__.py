"""The API kit, the bottom floor under every app: what the platform's REST API and its health
endpoint need and no app owns (permissions by role, idempotency, the exception handler, the
schema, throttles, list filters, redaction of secrets). It imports no app of the project: what
depends on one (the roles, the model that keeps idempotent answers, the health report) is named
by the callers or by the settings."""
