"""PEP 517 builds (DESIGN.md §2, L3): the project (editable, PEP 660) in an isolated
build environment that tether itself creates and fills."""
