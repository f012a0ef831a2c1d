"""The command line: argument parsing, a lazy table of verbs, rendering and exit codes."""
