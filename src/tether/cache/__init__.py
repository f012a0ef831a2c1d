"""The global cache (DESIGN.md §2, L1): versioned buckets, atomic writes, shared by all
projects and safe under concurrent processes."""

from tether.cache.store import Bucket, Cache, digest

__all__ = ["Bucket", "Cache", "digest"]
