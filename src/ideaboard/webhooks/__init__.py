"""Sending events out: the guarded HTTP client (`sender`) and the delivery machinery
(`delivery`) that claims, signs, retries and gives up, like the email outbox."""
