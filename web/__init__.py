"""The coordinators' web console: the collection, each submission beside its scan, overrides in one click.

A small Starlette app over the same functions as the CLI (storage.collection,
ingest.coordinator.actions); it holds no SQL and no second copy of any rule.
"""
