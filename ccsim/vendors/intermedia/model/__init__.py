"""The Intermedia face's state as plain objects: the agents' desk and the IVR events it raises
(desk.py), HaloPSA's records and matching rules (halo.py), and what is kept of past calls
(records.py). Nothing here knows HTTP: the wire adapters are in ../wire/."""
