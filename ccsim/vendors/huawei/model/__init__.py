"""The Huawei CC-Gateway's state rules as plain objects: the Gateway (sessions, sign-in, the long
poll, the routing policy), AgentStates and Calls, and the records they keep (session.py). No HTTP:
the model imports no aiohttp, no ccsim.serving and no ccsim.clients; wire/ adapts requests to it."""
