"""Uploading built distributions to an index (the upload API twine and PyPI speak)."""
