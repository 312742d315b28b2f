"""`ccsim load`: contact-center traffic at scale against synthetic agents that speak the faces'
real wire protocols, measured as a contact center measures itself (service level, average speed
of answer, abandon rate, occupancy), each figure with a confidence interval, and judged by the
queueing model of the same queue (Erlang A; Erlang C when nobody hangs up).

The profile, the Erlang models, the confidence intervals and the measures are ccsim/traffic/'s.

prediction.py   the model for a profile, its M/G/N approximation and the margin it is allowed
agents.py       the synthetic agents: configuration, sign-in steps, and how each answers and wraps up
report.py       the verdict: each figure, its interval, the prediction, and whether they agree
report_text.py  the report as text
runner.py       one load run (sign in, call, measure, report), or several seeds
cli.py          the command
"""
