"""The HTTP API and pages of talkarchive: app factory, routes by resource, pages, uploads,
files, i18n. It imports ``ingest`` and ``archive``, never the other way round."""
