"""NICE CXone face settings (config `faces.nice`). INFERRED choices are marked and listed in
contracts/nice/README.md."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class NiceSettings:
    # Bearer tokens from /InContactAuthorizationServer/Token live this long (password grant: 3600 s).
    token_ttl_seconds: float = 3600.0
    # Client applications ("App@Vendor" in the token request's Basic auth) that sign agents in
    # by username alone, as the OpenMethods Media Bar does (seed 000: "no password"). INFERRED name.
    trusted_clients: list[str] = field(default_factory=lambda: ["MediaBar@OpenMethods"])
    business_unit: str = "4593144"  # bus_no in tokens and AgentSessionStart (no "60" in it)
    business_unit_name: str = "ccsim"  # INFERRED: businessUnitName in GET business-unit
    # Seconds a routed contact waits for an accept before it is refused ("usually 45 s").
    refusal_timeout_seconds: float = 45.0
    # INFERRED: seconds the agent's softphone takes to answer the agent leg when it auto-accepts.
    leg_answer_seconds: float = 1.0
    # INFERRED: after-call work after a call, before the second Disconnected (FinalState "True");
    # a disposition ends it early. 0 = no ACW.
    acw_seconds: float = 30.0
    # INFERRED: seconds until the far end answers a dial-phone (outbound) call.
    far_end_answer_seconds: float = 3.0
    # Seed 000: "The agent cannot 'Connect the Agent Leg' from the Media Bar": sessions of trusted
    # clients (the bar) get 403 on agent-phone/dial, and on accepting the leg or a call that would
    # connect it ("the agent has to click the Accept button in the MAX"), while this is False.
    bar_can_dial_agent_leg: bool = False
    # INFERRED: a call routes to an Available agent whose leg is still Dialing (dialled from MAX,
    # not yet answered) and waits for that leg, as it waits for a leg the platform dials for it
    # (seed 000: with the leg not connected "InContact routes the contacts"). False: the agent is
    # not eligible for calls until the leg is Active or gone.
    route_while_leg_dialing: bool = True
    # Agents' auto-accept unless their own config (nice.auto_accept) or client data says otherwise.
    auto_accept: bool = False
    unavailable_codes: list[str] = field(default_factory=lambda: ["Break", "Lunch", "Meeting", "Training"])
    refused_reason: str = "Refused"  # OutReason after a refused contact ([S] "Refused")
    disposition_ids: list[str] = field(default_factory=lambda: ["1", "2", "3", "4"])
    iis_host: str = "ccsim-iis"  # IISHost / VCHost carried by every event
    vc_host: str = "ccsim-vc"

    def __post_init__(self) -> None:
        if self.refusal_timeout_seconds <= 0 or self.token_ttl_seconds <= 0:
            raise ValueError("refusal_timeout_seconds and token_ttl_seconds must be positive")
