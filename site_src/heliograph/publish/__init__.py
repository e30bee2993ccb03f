"""Publish: put a rendered site on disk atomically, and sync it to S3."""
