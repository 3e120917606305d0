"""HTTP handlers, one module per area; their URLs are all listed in `ideaboard.routes`."""
