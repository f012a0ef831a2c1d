"""tether: a Python project and package manager for AI/ML engineers."""

# The single source of the version: hatchling reads it at build time, and reading it
# here costs nothing at start-up (no importlib.metadata scan).
__version__ = "0.1.0.dev0"

__all__ = ["__version__"]
