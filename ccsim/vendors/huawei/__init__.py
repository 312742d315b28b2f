"""Huawei CC-Gateway AgentGateway agent REST face."""
