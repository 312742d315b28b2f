"""`ccsim fuzz`: bad input at every face, measured (see campaign.py)."""
