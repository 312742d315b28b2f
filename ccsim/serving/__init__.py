"""Listening plumbing and the face base classes: what every vendor face is served with."""
