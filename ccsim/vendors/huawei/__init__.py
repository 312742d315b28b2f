"""Huawei CC-Gateway AgentGateway agent REST face."""
from .face import HuaweiFace

__all__ = ["HuaweiFace"]
