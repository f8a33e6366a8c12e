"""The archive itself: settings, errors, the catalog and its migrations, the transcript model
and its formats, German text helpers, talk details, staff tokens and sessions, talk edits,
job records and the queue, and ``archive.search`` (the index). It imports no other layer."""

__version__ = "0.1.0"
