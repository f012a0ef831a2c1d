"""Code quality: advisory matching for `audit`, the built-in hook checks, tool runners
and CI templates. No network of its own beyond what callers hand in."""
