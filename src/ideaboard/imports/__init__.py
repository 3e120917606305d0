"""Reading other boards' exports (Fider, UserVoice, a spreadsheet, our own export) into
one model (imports.model); services.importing writes it."""
