"""``python -m talkarchive``."""

from talkarchive.cli import main

main()
