"""Installing into environments (DESIGN.md §2, L3): unpack once, link, RECORD, uninstall."""
