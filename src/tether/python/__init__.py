"""Python interpreters (DESIGN.md §2, L2): discovery, what each one is (markers, tags,
install paths), chosen by request and requires-python."""
