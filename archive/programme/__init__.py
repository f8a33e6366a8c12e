"""A conference, not a pile of files: an event (a conference edition: slug, title, dates, place,
time zone) with its days, rooms and programme slots.

One module per concern, and none of them imported here (the catalog imports :mod:`.tables`):

- :mod:`.model`: the programme as read from a file (plain dataclasses) and its limits;
- :mod:`.tables`: the catalog tables (migration 0007) and a slot's status;
- :mod:`.schedule_xml`, :mod:`.schedule_json`, :mod:`.agenda_csv`: the readers of frab/pretalx
  ``schedule.xml`` (checked against ``schemas/schedule.xml.xsd``), the schedule JSON that
  pretalx exports (``schemas/schema.json``) and a German CSV agenda ("Tagesordnung");
  :mod:`.read` tells them apart and runs the right one;
- :mod:`.diff`: what a re-import would change (new, changed field by field, removed);
- :mod:`.apply`: the import itself, in one transaction; :mod:`.edit`: staff edits of a slot;
- :mod:`.views`: events and their slots as JSON.

Re-import is keyed by the slot's guid (a CSV row gets one derived from its place in the
programme, see :mod:`.agenda_csv`). The same file twice changes nothing.

Staff edits survive a re-import: a slot keeps ``overrides``, a JSON object from each field staff
changed to what the programme said for it. A re-import updates only the fields not in it, and
keeps the programme's newest value for the others there (shown in the diff as "kept"); reverting
a field puts the programme's value back and drops it from ``overrides``.

A slot whose speakers opted out of recording (``<recording><optout>true</optout>`` in
schedule.xml, ``"do_not_record": true`` in JSON, ``Aufzeichnung: nein`` in CSV, or staff) has
the status ``not_recorded``: it must never be transcribed or published, and the slice that cuts
day recordings into slots refuses to make a talk of it.
"""
