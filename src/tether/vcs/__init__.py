"""Git dependencies: references parsed (pure) and repositories fetched into the cache."""
