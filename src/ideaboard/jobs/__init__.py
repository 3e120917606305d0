"""Background loops that run inside the app process."""
