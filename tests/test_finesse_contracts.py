"""The Finesse face's wire contracts (contracts/finesse/): valid schemas, real events from the
protocol functions validate, broken events and malformed commands do not, and the frames the
embedded STOMP broker journals match frame/<COMMAND>.schema.json."""
from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ccsim import contracts
from ccsim.vendors.finesse import protocol as p

FINESSE = contracts.contracts_dir() / "finesse"
EVENTS = ["State", "AgentInfo", "ReasonCodes", "NewInboundCall", "InboundCall", "ConsultCall", "DialogState",
          "DialogStatus", "Error", "Control", "QueueList", "TeamUsersList", "Phonebooks", "PhonebookContacts",
          "TeamPhoneBooks", "SkillGroups", "Supervisors", "IN_SERVICE", "OUT_OF_SERVICE"]


def entry(text: str, destination: str | None = "/topic/ws1") -> dict[str, Any]:
    """The journal's view of one event, as FinesseFace.publish_to records it."""
    return {"destination": destination, "body": text, "tokens": text.split("#")}


def errors(relative: str, instance: Any) -> list[str]:
    return contracts.errors(f"finesse/{relative}", instance)


def assert_valid(text: str, destination: str | None = "/topic/ws1") -> None:
    name = text.split("#")[1]
    problems = errors(f"jms/{name}.schema.json", entry(text, destination))
    assert not problems, (text, problems)


def assert_invalid(name: str, text: str, destination: str | None = "/topic/ws1") -> None:
    assert errors(f"jms/{name}.schema.json", entry(text, destination)), text


def test_there_is_a_contract_for_every_event_the_face_emits():
    for name in EVENTS:
        assert (FINESSE / "jms" / f"{name}.schema.json").is_file(), name
    # Event names written in the face's code: p.event(x, "Name"), p.listing(x, "Name"), name="Name",
    # ("Name", "No...Found") and the names the protocol helpers hard-code.
    code = "".join((Path(p.__file__).parent / f).read_text(encoding="utf-8")
                   for f in ("face.py", "model/connector.py", "model/dialogs.py", "model/queries.py", "protocol.py"))
    found = set(re.findall(r"p\.(?:event|listing)\([^,()]+,\s*\"(\w+)\"", code))
    found |= set(re.findall(r"\bname(?:=|: str = )\"(\w+)\"", code))
    found |= set(re.findall(r"\(\"(\w+)\", \"No\w+Found\"\)", code))
    found |= set(re.findall(r"event\((?:agent|subject or agent|destination), \"(\w+)\"", code))
    found |= set(re.findall(r"\"(IN_SERVICE|OUT_OF_SERVICE)\"", code))
    assert {"State", "InboundCall", "Error", "Phonebooks"} <= found, "the scan misses names: update the expressions"
    assert found <= set(EVENTS), sorted(found - set(EVENTS))


def test_the_asyncapi_document_names_the_channels_and_every_event():
    doc = yaml.safe_load((FINESSE / "asyncapi.yaml").read_text(encoding="utf-8"))
    assert doc["asyncapi"].startswith(("2.6", "3."))
    assert "/queue/Connector1" in doc["channels"] and "/topic/{clientDestination}" in doc["channels"]
    assert doc["servers"]["embedded"]["variables"]["port"]["default"] == "8802"
    messages = doc["components"]["messages"]
    assert set(messages) == set(EVENTS)
    for name, message in messages.items():
        target = FINESSE / message["x-ccsim-contract"]["$ref"]
        assert target.is_file() and target.name == f"{name}.schema.json"
    assert (FINESSE / doc["channels"]["/queue/Connector1"]["publish"]["message"]["x-ccsim-contract"]["$ref"]).is_file()


# -- events built by the protocol functions --------------------------------------------------------------
T = "2026-01-01 12:00:00"


def state(**kw: Any) -> str:
    args = dict(state_name="NOT_READY", reason_code="-1", change_time=T, pending="", full_name="Ada Lovelace",
                extension="2001", reason_label="", login_name="ada")
    args.update(kw)
    return p.state("1001", **args)


def dialog(name: str = "InboundCall", **kw: Any) -> str:
    args = dict(dialog_state="ACTIVE", dialog_id="16777216", other_party="+15550100",
                variables={"callVariable1": "a=b", "BAResponse": "VOICE"}, start_time=T, call_type="ACD_IN",
                called="4001", parties=[("2001", "ACTIVE", ""), ("+15550100", "ACTIVE", "")])
    args.update(kw)
    return p.dialog_event("1001", name, **args)


def real_events() -> list[str]:
    out = [
        p.system_status("192.168.1.148", True), p.system_status("ws1", False),
        state(), state(state_name="READY", reason_code=""), state(state_name="LOGOUT", reason_code="20002"),
        state(state_name="NOT_READY", reason_code="1", reason_label="Break, lunch | tea"),
        state(state_name="TALKING", reason_code="", pending="NOT_READY"), state(state_name="WORK_READY", reason_code=""),
        state(state_name="RESERVED_OUTBOUND_PREVIEW", reason_code="50006"), state(state_name="HOLD", extension=""),
        p.agent_info("1001", first="Ada", last="Lovelace", supervisor=False, wrap_up_mode="OPTIONAL", team_id="1",
                     full_name="Ada Lovelace", login_name="ada"),
        p.agent_info("9001", first="Grace", last="Hopper", supervisor=True, wrap_up_mode="NOT_ALLOWED", team_id="1",
                     full_name="Grace Hopper", login_name="grace", teams=[("1", "Team One"), ("2", "Team, Two|x")]),
        p.agent_info("9002", first="No", last="Teams", supervisor=True, wrap_up_mode="REQUIRED", team_id="1",
                     full_name="No Teams", login_name="nt", teams=[]),
        p.reason_codes("1001", "NOT_READY", [("1", "Break"), ("2", "Lunch, long")]),
        p.reason_codes("1001", "WrapUp", [("21", "Sale")]), p.reason_codes("1001", "LOGOUT", []),
        p.new_inbound_call("1001", ani="+15550100", variables={"callVariable1": "x"}, dialog_id="16777216"),
        p.new_inbound_call("1002", ani="2001", variables={}, dialog_id="16777217"),
        dialog(), dialog(name="DialogState"), dialog(dialog_state="HELD", parties=[("2001", "HELD", "")]),
        dialog(dialog_state="DROPPED", variables={}, parties=[]),
        dialog(dialog_state="FAILED", call_type="OUT", parties=[("2001", "FAILED", ""), ("666", "ALERTING", "")]),
        dialog(call_type="SM", parties=[("2009", "ACTIVE", ""), ("2001", "ACTIVE", "")]),
        dialog(parties=[("2001", "ACTIVE", ""), ("2009", "ACTIVE", "SUPERVISOR_BARGE_IN")]),
        p.consult_call("1001", dialog_state="INITIATED", dialog_id="16777217", number="2002"),
        p.event("9001", "DialogStatus", "CALL_BY_CALL", "5551234", "CONNECTED"),
        p.event("9001", "DialogStatus", "NAILED_CONNECTION", "5551234", "CONNECTED"),
        p.error("1001", "Login", "MISSING_PASSWORD", "no, password"),
        p.error("UNKNOWN", "", "GENERAL_ERROR", "JMSType must be <Command>#<agent>, not None"),
        p.error("1001", "MobileAgentLogin", "CF_INVALID_LOGON_DEVICE_SPECIFIED", "mobile agent mode is not allowed"),
        p.control("1001", "CALLBACK_SCHEDULED", "dialogId:16777216 callbackTime:2026-03-07T14:30 callbackNumber:5551234"),
        p.control("1001", "RECLASSIFIED", "dialogId:16777216 value:VOICE"),
        p.control("1002", "PARTICIPANT_DROPPED", "dialogId:16777216 by:1001"),
        p.listing("1001", "QueueList", [p.pairs([
            ("QueueName", "Sales"), ("NotReady", 1), ("Ready", 2), ("TalkingIN", 0), ("TalkingINT", 0), ("TalkingOUT", 0),
            ("WrapUpNotReady", 0), ("WrapUpReady", 0), ("CallsInQueue", 3), ("LongestInQueue", T),
            ("FullName", "Grace Hopper")])]),
        p.listing("1001", "QueueList", [p.pairs([  # UCCX
            ("QueueName", "Sales"), ("WaitingCalls", 1), ("AgentsLoggedIn", 3), ("AgentsInAfterCallWork", 0),
            ("AgentsTalking", 1), ("AgentsReserved", 0), ("HandledCalls", 7), ("AbandonedCalls", 1), ("TotalCalls", 9),
            ("LongestHandleTime", 125), ("FullName", "Ada Lovelace")])]),
        p.listing("1001", "QueueList", []),
        p.listing("9001", "TeamUsersList", [p.pairs([
            ("FirstName", "Ada"), ("LastName", "Lovelace"), ("Extension", ""), ("LoginId", "1001"), ("State", "READY"),
            ("PendingState", ""), ("MediaType", "voice"), ("StateChangeTime", T), ("StateChangeLabel", "-1")])]),
        p.listing("9001", "TeamUsersList", []),
        p.listing("1001", "Phonebooks", [p.pairs([("name", "Global"), ("type", "GLOBAL"), ("id", 1)]),
                                         p.pairs([("name", "Team|1"), ("type", "TEAM"), ("id", 2)])], "NoPhoneBookFound"),
        p.listing("1001", "Phonebooks", [], "NoPhoneBookFound"),
        p.listing("9001", "TeamPhoneBooks", [p.pairs([("name", "T1"), ("type", "TEAM"), ("id", 2)])], "NoTeamPhoneBookFound"),
        p.listing("9001", "TeamPhoneBooks", [], "NoTeamPhoneBookFound"),
        p.listing("1001", "PhonebookContacts", [p.pairs([("description", "a, b"), ("firstName", "A"), ("lastName", "B"),
                                                         ("phoneNumber", "555"), ("id", "c1")])], "NoContactFound"),
        p.listing("1001", "PhonebookContacts", [], "NoContactFound"),
        p.listing("1001", "SkillGroups", [p.pairs([("name", "Sales"), ("id", "sales")])], "NoSkillGroupFound"),
        p.listing("1001", "SkillGroups", [], "NoSkillGroupFound"),
        p.listing("1001", "Supervisors", [p.pairs([("FirstName", "Grace"), ("LastName", "Hopper"), ("LoginId", "9001"),
                                                   ("Extension", "2009")])], "NoSupervisorFound"),
        p.listing("1001", "Supervisors", [], "NoSupervisorFound"),
    ]
    return out


@pytest.mark.parametrize("text", real_events())
def test_events_built_by_the_protocol_functions_validate(text):
    assert_valid(text)


def test_every_event_name_is_covered_by_the_real_examples():
    assert {t.split("#")[1] for t in real_events()} == set(EVENTS)


def test_an_undeliverable_error_may_have_no_destination_but_other_events_must():
    assert_valid(p.error("UNKNOWN", "", "GENERAL_ERROR", "no JMSType"), destination=None)
    assert_invalid("State", state(), destination=None)
    assert_invalid("State", state(), destination="/queue/Connector1")


# -- events that break the layouts --------------------------------------------------------------------
def replace(text: str, index: int, value: str) -> str:
    tokens = text.split("#")
    tokens[index] = value
    return "#".join(tokens)


BROKEN = [
    ("State", "#".join(state().split("#")[:12])),  # 12 tokens
    ("State", state() + "#extra"),  # 14 tokens
    ("State", replace(state(), 2, "LUNCH")),  # unknown state
    ("State", replace(state(), 2, "not_ready")),
    ("State", replace(state(), 3, "x1")),  # reason code
    ("State", state(state_name="READY", reason_code="1")),  # READY carries no code
    ("State", state(state_name="NOT_READY", reason_code="")),  # NOT_READY always carries one
    ("State", replace(state(), 6, "2026-01-01T12:00:00Z")),  # time format
    ("State", replace(state(), 4, "")),
    ("State", replace(state(), 5, "LATER")),  # pending state
    ("State", replace(state(), 0, "")),  # no subject
    ("State", replace(state(), 1, "state")),
    ("NewInboundCall", "1001#NewInboundCall#+15550100##16777216"),  # no dialogId key
    ("NewInboundCall", "1001#NewInboundCall#+15550100#x=1"),  # no dialog id at all
    ("NewInboundCall", "1001#NewInboundCall#+15550100#x=1#dialogId:abc"),
    ("NewInboundCall", "1001#NewInboundCall#+15550100#novalue#dialogId:1"),  # call variables are k=v
    ("Error", p.error("1001", "Login", "missing_password", "x")),  # lower-case code
    ("Error", p.error("1001", "Login", "Missing Password", "x")),
    ("Error", "1001#Error#MISSING_PASSWORD#x"),  # the 4-token layout
    ("InboundCall", dialog(dialog_state="RINGING")),
    ("InboundCall", replace(dialog(), 3, "16777216")),
    ("InboundCall", replace(dialog(), 7, "ACD_IN")),
    ("InboundCall", replace(dialog(), 8, "4001")),
    ("InboundCall", replace(dialog(), 9, "participants:2001,ACTIVE")),
    ("InboundCall", replace(dialog(), 9, "participants:2001,TALKING,COUNTED,NONE")),
    ("InboundCall", replace(dialog(), 6, "")),
    ("InboundCall", "#".join(dialog().split("#")[:9])),
    ("DialogState", dialog()),  # token [1] names the other event
    ("AgentInfo", replace(p.agent_info("1001", first="A", last="B", supervisor=False, wrap_up_mode="OPTIONAL",
                                       team_id="1", full_name="A B", login_name="ab"), 4, "True")),
    ("AgentInfo", replace(p.agent_info("1001", first="A", last="B", supervisor=False, wrap_up_mode="OPTIONAL",
                                       team_id="1", full_name="A B", login_name="ab"), 4, "true")),  # agent layout, supervisor flag
    ("AgentInfo", replace(p.agent_info("1001", first="A", last="B", supervisor=False, wrap_up_mode="OPTIONAL",
                                       team_id="1", full_name="A B", login_name="ab"), 5, "SOMETIMES")),
    ("AgentInfo", replace(p.agent_info("9001", first="G", last="H", supervisor=True, wrap_up_mode="OPTIONAL",
                                       team_id="1", full_name="G H", login_name="gh", teams=[("1", "T")]), 6, "Teams:1")),
    ("ReasonCodes", "1001#ReasonCodes#NOT_READY#1,x#Break,Lunch"),
    ("ReasonCodes", "1001#ReasonCodes#AWAY#1#Break"),
    ("ConsultCall", "1001#ConsultCall#INITIATED#16777217#2002"),
    ("DialogStatus", "9001#DialogStatus#MOBILE#5551234#CONNECTED"),
    ("Control", "1001#Control#CALLBACK_SCHEDULED#callback at noon"),
    ("QueueList", "1001#QueueList#QueueName:Sales,Ready:2"),
    ("QueueList", "1001#QueueList#QueueName:Sales|x,NotReady:1,Ready:2,TalkingIN:0,TalkingINT:0,TalkingOUT:0,"
                  "WrapUpNotReady:0,WrapUpReady:0,CallsInQueue:3,LongestInQueue:,FullName:A"),  # '|' inside a value
    ("QueueList", "1001#QueueList#QueueName:Sales,NotReady:1,Ready:2,TalkingIN:0,TalkingINT:0,TalkingOUT:0,"
                  "WrapUpNotReady:0,WrapUpReady:0,CallsInQueue:3,LongestInQueue:"),  # no FullName
    ("QueueList", "1001#QueueList#QueueName:Sales,WaitingCalls:1,AgentsLoggedIn:3,AgentsInAfterCallWork:0,"
                  "AgentsTalking:1,AgentsReserved:0,HandledCalls:7,AbandonedCalls:1,TotalCalls:9,"
                  "LongestHandleTime:2m,FullName:A"),  # a duration that is not whole seconds
    ("TeamUsersList", "9001#TeamUsersList#FirstName:Ada,LastName:Lovelace,Extension:2001,"),
    ("Phonebooks", "1001#Phonebooks"),  # the empty token is required
    ("Phonebooks", "1001#Phonebooks#NoPhoneBookFound#name:G,type:GLOBAL,id:1"),
    ("Phonebooks", "1001#Phonebooks#name:G,type:PRIVATE,id:1"),
    ("TeamPhoneBooks", "9001#TeamPhoneBooks#name:G,type:GLOBAL,id:1"),
    ("TeamPhoneBooks", "9001#TeamPhoneBooks#NoPhoneBookFound"),
    ("PhonebookContacts", "1001#PhonebookContacts#description:,firstName:A,lastName:B,number:555,id:c1"),
    ("SkillGroups", "1001#SkillGroups#Sales"),
    ("Supervisors", "1001#Supervisors#NoSkillGroupFound"),
    ("IN_SERVICE", "ws1#IN_SERVICE#extra"),
    ("OUT_OF_SERVICE", "#OUT_OF_SERVICE"),
]


@pytest.mark.parametrize(("name", "text"), BROKEN)
def test_broken_events_fail(name, text):
    assert_invalid(name, text)


def test_tokens_must_be_the_split_body():
    good = entry(state())
    assert errors("jms/State.schema.json", dict(good, body=state() + "#x"))  # body with 14 tokens
    assert errors("jms/State.schema.json", dict(good, tokens=good["tokens"][:-1] + ["a#b"]))


# -- commands ---------------------------------------------------------------------------------------
SEED_COMMANDS = [
    ("MOBILEAGENTLOGIN#1001", "pw,1001,5551234,true"),
    ("TransferCall#1001", "2002,16777216"),
    ("Conferencecall#1001", "2002,16777216"),
    ("SHCEDULECALLBACK#1001", "2001,16777216,2026-03-07T14:30,5551234"),
    ("RejectOutboundPreview#1001", "16777216,REJECT"),
    ("CloseOutboundPreview#1001", "16777216,CLOSE"),
    ("UPDATECALLBACK#1001", "2001,16777216,2026-03-07T15:30,5551234"),
    ("CANCELSHCEDULECALLBACK#1001", "2001,16777216"),
    ("RECLASSIFYCALL#1001", "2001,16777216,VOICE"),
    ("GETSKILLGROPU#1001", ""),
    ("GETSUPERVISOR#1001", None),
]
REFERENCE_COMMANDS = [
    ("Hello#192.168.1.148", ""), ("Beat#192.168.1.148", None), ("Connect#1001", "192.168.1.148,secret"),
    ("Connect#1001", "192.168.1.148,secret,sso-token"), ("Login#1001", "secret,2204"),
    ("MobileAgentLogin#1001", "pw,1001,5551234,FALSE"), ("logout#1001", ""), ("logoutwithreason#1002", "28"),
    ("MakeReady#1002", ""), ("MakeNotReadyWithReason#1001", "3"), ("force_logout#1001", ""),
    ("reasoncodenotready#1001", ""), ("MakeCall#1001", "5550100"), ("AnswerCall#1001", "16777216"),
    ("Transfer_sst#1001", "2002,16777216"), ("ConferenceCall#1001", "2002,16777216"), ("getteamusers#9001", "1,true"),
    ("getteamusers#9001", "1"), ("getqueuelist#9001", ""), ("GetTeamPhonebooks#9001", "1"),
    ("silentmonitor#9001", "2001"), ("bargein#9001", "2009,16777216"), ("dropparticipant#1001", "2002,16777216"),
    ("SHCEDULECALLBACK#1001", "2001,16777216,2026-03-07T14:30"), ("RejectOutboundPreview#1001", "16777216"),
    ("reclassifycall#1001", "2001,16777216,do_not_call"),
]


@pytest.mark.parametrize(("jms_type", "body"), SEED_COMMANDS + REFERENCE_COMMANDS)
def test_documented_commands_match_the_grammar_and_the_face_parses_them(jms_type, body):
    command = {"type": jms_type} if body is None else {"type": jms_type, "body": body}
    assert not errors("commands.schema.json", command), command
    p.parse_command(jms_type, body)  # and the face accepts it


MALFORMED = [
    ("MOBILEAGENTLOGIN#1001", "pw,1001,5551234"),  # 3 of 4 fields
    ("MOBILEAGENTLOGIN#1001", "pw,1001,5551234,true,extra"),
    ("MOBILEAGENTLOGIN#1001", "pw,1001,5551234,maybe"),
    ("MOBILEAGENTLOGIN#1001", "pw,,5551234,true"),  # a required field left empty
    ("TransferCall#1001", "2002"),
    ("TransferCall#1001", "2002,dialog-1"),
    ("TransferCall#1001", None),
    ("Conferencecall#1001", " ,16777216"),
    ("SHCEDULECALLBACK#1001", "2001,16777216"),
    ("SHCEDULECALLBACK#1001", "2001,16777216,tomorrow,5551234"),
    ("RejectOutboundPreview#1001", "16777216,ACCEPT"),
    ("RECLASSIFYCALL#1001", "2001,16777216,MAYBE"),
    ("Login#1001", "secret"),
    ("Connect#1001", "192.168.1.148"),
    ("Hello#ws1", "unexpected"),
    ("Login1001", "secret,2204"),  # no '#'
    ("Login#", "secret,2204"),  # no param
    ("Login#10 01", "secret,2204"),
    ("Login#1001#2", "secret,2204"),
    ("Logn#1001", ""),  # unknown command
    (None, "secret,2204"),
]


@pytest.mark.parametrize(("jms_type", "body"), MALFORMED)
def test_malformed_commands_fail(jms_type, body):
    command: dict[str, Any] = {"body": body}
    if jms_type is not None:
        command["type"] = jms_type
    assert errors("commands.schema.json", command), command


@pytest.mark.parametrize("name", sorted(s.name for s in p.COMMANDS.values()))
def test_every_command_of_the_face_has_a_rule_that_agrees_with_its_parser(name):
    spec = p.COMMANDS[name.lower()]
    sample = {"dialogId": "16777216", "connectionMode": "true", "callbackTime": "2026-03-07T14:30", "action": "REJECT"
              if name.startswith("Reject") else "CLOSE", "value": "VOICE"}
    fields = [sample.get(f, "x1") for f in spec.fields]
    for variant in (name, name.upper(), name.lower()):
        for count in range(spec.required, len(spec.fields) + 1):
            body = ",".join(fields[:count])
            assert not errors("commands.schema.json", {"type": f"{variant}#1001", "body": body}), (variant, body)
            p.parse_command(f"{variant}#1001", body)
        if spec.required:
            short = ",".join(fields[:spec.required - 1])
            assert errors("commands.schema.json", {"type": f"{variant}#1001", "body": short}), (variant, short)
            with pytest.raises(p.ProtocolError):
                p.parse_command(f"{variant}#1001", short)
        if spec.fields:
            long = ",".join(fields + ["x"])
            assert errors("commands.schema.json", {"type": f"{variant}#1001", "body": long}), (variant, long)
            with pytest.raises(p.ProtocolError):
                p.parse_command(f"{variant}#1001", long)


# -- frames the embedded broker sends ------------------------------------------------------------------
def frame_entry(headers: dict[str, str], body: str = "") -> dict[str, Any]:
    return {"direction": "out", "connection": "stomp-1", "headers": headers, "body": body}


MESSAGE = {"subscription": "sub-1", "message-id": "ID:ccsim-finesse-1", "destination": "/topic/ws1", "expires": "0",
           "priority": "4", "timestamp": "1767268800000"}


def test_frame_contracts_accept_the_brokers_frames_and_reject_wrong_ones():
    ok = [
        ("CONNECTED", frame_entry({"version": "1.2", "heart-beat": "10000,10000", "server": "ccsim-stomp/1.0",
                                   "session": "ccsim-finesse-session-1"})),
        ("CONNECTED", frame_entry({"server": "ccsim-stomp/1.0", "session": "s-1"})),  # STOMP 1.0
        ("MESSAGE", frame_entry(MESSAGE, "1001#IN_SERVICE")),
        ("MESSAGE", frame_entry(dict(MESSAGE, type="Login#1001", ack="ack-1", redelivered="true", JMSXGroupID="g"), "pw,1")),
        ("RECEIPT", frame_entry({"receipt-id": "r-1"})),
        ("ERROR", frame_entry({"message": "Missing header: destination", "receipt-id": "r-2",
                               "content-type": "text/plain"}, "a SEND frame must have a 'destination' header\n")),
    ]
    for command, instance in ok:
        assert not errors(f"frame/{command}.schema.json", instance), (command, instance)
    bad = [
        ("CONNECTED", frame_entry({"version": "1.2", "server": "x", "session": "s"})),  # no heart-beat
        ("CONNECTED", frame_entry({"server": "x"})),
        ("CONNECTED", frame_entry({"session": "s"}, "body")),
        ("MESSAGE", frame_entry({k: v for k, v in MESSAGE.items() if k != "message-id"})),
        ("MESSAGE", frame_entry(dict(MESSAGE, **{"content-length": "15"}), "1001#IN_SERVICE")),
        ("MESSAGE", frame_entry(dict(MESSAGE, receipt="r-1"))),
        ("MESSAGE", frame_entry(dict(MESSAGE, destination="Connector1"))),
        ("MESSAGE", dict(frame_entry(MESSAGE), direction="in")),
        ("RECEIPT", frame_entry({})),
        ("RECEIPT", frame_entry({"receipt-id": "r-1", "extra": "1"})),
        ("ERROR", frame_entry({"content-type": "text/plain"}, "no message header")),
    ]
    for command, instance in bad:
        assert errors(f"frame/{command}.schema.json", instance), (command, instance)


async def _read_frames(reader: asyncio.StreamReader, count: int) -> list[bytes]:
    frames: list[bytes] = []
    while len(frames) < count:
        chunk = await asyncio.wait_for(reader.readuntil(b"\x00"), 5)
        frames.append(chunk.lstrip(b"\r\n"))
    return frames


async def test_the_embedded_brokers_journaled_frames_match_the_contracts():
    broker_module = pytest.importorskip("ccsim.vendors.finesse.stomp.broker")
    from ccsim.contracts.emitted import entry_violations
    from ccsim.core import Journal, RealClock

    clock = RealClock()
    journal = Journal(clock, 1000)
    broker = broker_module.StompBroker(clock, journal, host="127.0.0.1", port=0)
    commands: list[Any] = []
    broker.consume("/queue/Connector1", commands.append)
    url = await broker.start()
    try:
        host, port = url.removeprefix("stomp://").rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"CONNECT\naccept-version:1.2\nhost:ccsim\nheart-beat:0,0\n\n\x00"
                     b"SUBSCRIBE\nid:sub-1\ndestination:/topic/ws1\nreceipt:r-1\n\n\x00")
        await writer.drain()
        connected, receipt = await _read_frames(reader, 2)
        assert connected.startswith(b"CONNECTED") and receipt.startswith(b"RECEIPT")
        broker.publish("/topic/ws1", "ws1#IN_SERVICE")
        writer.write(b"SEND\ndestination:/queue/Connector1\ntype:Hello#ws1\n\n\x00")
        await writer.drain()
        [message] = await _read_frames(reader, 1)
        assert message.startswith(b"MESSAGE") and b"content-length" not in message
        writer.write(b"SEND\ntype:Hello#ws1\nreceipt:r-2\n\nno destination\x00")  # ERROR, then the broker closes
        await writer.drain()
        [error] = await _read_frames(reader, 1)
        assert error.startswith(b"ERROR")
        writer.close()
    finally:
        await broker.stop()
    assert commands and commands[0].jms_type == "Hello#ws1"
    sent = [e for e in journal.query() if e.kind == "frame" and e.response.get("direction") == "out"]
    assert {e.op for e in sent} >= {"CONNECTED", "RECEIPT", "MESSAGE", "ERROR"}
    problems = [v for e in journal.query() for v in entry_violations(e)]
    assert not problems, problems
