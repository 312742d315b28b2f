"""The neutral traffic model shared by `ccsim load` and the scenario step `customers call`: what
callers do, what the queueing models predict, and what a run measures.

profile.py      the knobs (arrival rate and its ramps, agents, talk, wrap-up, patience) and their parsing
erlang.py       Erlang C, and Erlang B's recursion in logs
erlang_a.py     Erlang A (M/M/N+M): callers who give up
interval.py     confidence intervals of ratios, from batches or seeds
measure.py      what a run measures, from the world's bus, in batches
"""
