"""Email: the outbox, the transports that deliver it, and the email templates."""
