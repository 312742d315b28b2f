"""Huawei agents for Locust: load from as many machines as you have, with Locust's own
distributed mode driving ccsim's Huawei face (docs/load.md).

    python bench/locust/agents.py 2000 > agents.yaml && ccsim serve --config agents.yaml --host 0.0.0.0
    locust -f bench/locust/locustfile.py --master --host http://SIM:8801          # one machine
    locust -f bench/locust/locustfile.py --worker --master-host MASTER            # on every other

Each simulated user is one Huawei agent (ids from 10000; worker N takes 10000 + 1000 N on, so
workers never share an agent): it signs in with loginex, then loops through its working day over
the real REST API with its Guid: saybusy, agentevent, sayfree, agentevent, agentstatus. An answer
that is not HTTP 200 with retcode "0" counts as a Locust failure."""
from __future__ import annotations

import itertools

from locust import HttpUser, between, events, task

BASE = "/agentgateway/resource/"
AGENTS_PER_WORKER = 1000
_numbers = itertools.count()


def agent_id(worker_index: int) -> str:
    n = next(_numbers)
    if n >= AGENTS_PER_WORKER:
        raise RuntimeError(f"more than {AGENTS_PER_WORKER} users on one worker: raise AGENTS_PER_WORKER "
                           "and give ccsim that many more agents")
    return str(10000 + AGENTS_PER_WORKER * worker_index + n)


class HuaweiAgent(HttpUser):
    wait_time = between(0.05, 0.2)

    def on_start(self) -> None:
        worker = getattr(self.environment.runner, "worker_index", 0) or 0
        self.agent = agent_id(worker)
        with self.client.put(f"{BASE}onlineagent/{self.agent}/loginex", name="loginex", catch_response=True,
                             json={"password": "", "phonenum": "7" + self.agent, "releasephone": "false"}) as resp:
            self._judge(resp)
            self.client.headers["Guid"] = resp.headers.get("Set-GUID", "=").split("=", 1)[1]
        for _ in range(2):  # AgentOther_InService, AgentState_Ready
            self._call("GET", "agentevent/{a}", "agentevent")

    def on_stop(self) -> None:
        self._call("DELETE", "onlineagent/{a}/logout", "logout")

    @task
    def working_loop(self) -> None:
        self._call("POST", "onlineagent/{a}/saybusy", "saybusy")
        self._call("GET", "agentevent/{a}", "agentevent")
        self._call("POST", "onlineagent/{a}/sayfree", "sayfree")
        self._call("GET", "agentevent/{a}", "agentevent")
        self._call("GET", "onlineagent/{a}/agentstatus", "agentstatus")

    def _call(self, method: str, path: str, name: str) -> None:
        with self.client.request(method, BASE + path.format(a=self.agent), name=name, catch_response=True) as resp:
            self._judge(resp)

    @staticmethod
    def _judge(resp) -> None:
        try:
            retcode = resp.json().get("retcode")
        except ValueError:
            retcode = None
        if resp.status_code != 200 or retcode != "0":
            resp.failure(f"HTTP {resp.status_code}, retcode {retcode!r}")


@events.init_command_line_parser.add_listener
def _document(parser) -> None:
    parser.description = __doc__
