"""The CXone platform as plain objects: Accounts (users, agent numbers, tokens, client data),
Sessions (agent and API sessions, agent state, the events every client is told) and Contacts (the
agent leg, contacts from offer to FinalState, logout). No HTTP here: wire/ turns requests into
calls on these, and the face builds them."""
