"""Business rules and all database access, as plain async functions."""
