"""Recordings -> transcripts: media (ffmpeg), engines, models, convert, the pipeline, the
worker that runs jobs, and demo talks. It imports ``archive`` only."""
