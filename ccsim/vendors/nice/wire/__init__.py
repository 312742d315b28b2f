"""The face's HTTP side: the token service (token.py) and the Agent API (api.py) as route tables
of module-level handlers, and what every request and answer shares (call.py)."""
