"""The ``talkarchive`` command line, on top of every other layer."""
