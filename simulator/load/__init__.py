"""`ccsim load`: contact-center traffic at scale against synthetic agents that speak the faces'
real wire protocols, measured as a contact center measures itself (service level, average speed
of answer, abandon rate, occupancy) and compared with the Erlang-C prediction for the same load.

profile.py  the knobs (arrival rate and its ramps, agents, talk, wrap-up, patience) and their parsing
erlang.py   Erlang C: what queueing theory predicts for the same offered load
agents.py   the synthetic agents: configuration, sign-in steps, and how each answers and wraps up
measure.py  what the run measures, from the world's bus
runner.py   one load run: sign in, call, measure, report
cli.py      the command
"""
