"""The HTTP API and pages of talkarchive (imports ``ingest``; never the other way round)."""
