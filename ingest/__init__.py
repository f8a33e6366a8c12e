"""talkarchive ingest: media, transcription engines, transcripts, catalog, index, CLI."""

__version__ = "0.1.0"
