"""Cisco Finesse through the Expertflow Generic Connector (JMS over STOMP)."""
