"""The live dashboard for trainers, served by the admin listener under /_ccsim/ui/.

view.py says what the page shows, feed.py pushes it (Server-Sent Events), playback.py plays
scenarios against the running simulator, routes.py serves it all; static/ is the page itself
(plain HTML, CSS and JavaScript: nothing to build).
"""
UI_PREFIX = "/_ccsim/ui/"
STREAM_PATH = UI_PREFIX + "stream"
PAGES = {"": "index.html", "index.html": "index.html", "app.js": "app.js", "app.css": "app.css"}


def is_public(path: str) -> bool:
    """The page's own files carry no data: a browser loads them without the admin token (the
    page reads it from its URL's #token= or asks for it, before it asks for anything else)."""
    return path == UI_PREFIX.rstrip("/") or (path.startswith(UI_PREFIX) and path[len(UI_PREFIX):] in PAGES)
