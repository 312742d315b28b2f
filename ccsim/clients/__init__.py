"""Clients over the wire: WireClient (a face's wire, in process) and AdminClient (the admin API)."""
