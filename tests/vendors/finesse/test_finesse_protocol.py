"""The Generic Connector protocol as pure functions: command parsing, event layouts."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccsim.vendors.finesse import protocol as p


@pytest.mark.parametrize("jms_type", ["MOBILEAGENTLOGIN#1001", "MobileAgentLogin#1001", "mobileagentlogin#1001"])
def test_command_names_are_case_insensitive(jms_type):
    command = p.parse_command(jms_type, "pw,2001,5551234,true")
    assert command.name == "MobileAgentLogin" and command.param == "1001"
    assert command.args == {"password": "pw", "extension": "2001", "dialNumber": "5551234", "connectionMode": "true"}


def test_connect_takes_an_optional_sso_field_and_empty_bodies_are_empty():
    assert p.parse_command("Connect#1001", "ws1,pw").args == {"destination": "ws1", "password": "pw"}
    assert p.parse_command("Connect#1001", "ws1,pw,tok").args["sso"] == "tok"
    assert p.parse_command("Hello#ws1", None).args == {} == p.parse_command("MakeReady#1001", "").args


@pytest.mark.parametrize("jms_type, body, code", [
    ("Login#1001", ",2001", "MISSING_PASSWORD"),
    ("Login#1001", "pw", "MISSING_EXTENSION"),
    ("MOBILEAGENTLOGIN#1001", "pw,,555,true", "MISSING_EXTENSION"),
    ("AnswerCall#1001", "", "MISSING_DIALOG_ID"),
    ("TransferCall#1001", "2002", "MISSING_DIALOG_ID"),
    ("TransferCall#1001", ",16777216", "MISSING_EXTENSION"),
    ("Login#1001", "pw,2001,extra", "GENERAL_ERROR"),
    ("NoSuchCommand#1001", "", "GENERAL_ERROR"),
    ("Login#", "pw,2001", "GENERAL_ERROR"),
    ("Login", "pw,2001", "GENERAL_ERROR"),
    (None, "pw,2001", "GENERAL_ERROR"),
])
def test_bad_commands_give_the_connectors_error_codes(jms_type, body, code):
    with pytest.raises(p.ProtocolError) as caught:
        p.parse_command(jms_type, body)
    assert caught.value.code == code


def test_an_error_knows_the_agent_when_the_type_names_one():
    with pytest.raises(p.ProtocolError) as caught:
        p.parse_command("AnswerCall#1001", "")
    assert caught.value.agent == "1001" and caught.value.command == "AnswerCall"


@given(st.text(max_size=30))
def test_values_never_carry_a_delimiter(value):
    assert not set(p.clean(value)) & set(p.RESERVED)


def test_state_has_the_seeds_thirteen_tokens_in_order():
    text = p.state("1001", state_name="NOT_READY", reason_code="-1", change_time="2026-01-01 00:00:00", pending="",
                   full_name="Ada Lovelace", extension="2001", reason_label="", login_name="ada")
    tokens = text.split("#")
    assert len(tokens) == 13
    assert tokens[:4] == ["1001", "State", "NOT_READY", "-1"]
    assert tokens[7:10] == ["Ada Lovelace", "1001", "2001"] and tokens[12] == "ada"


def test_agent_info_layouts_for_agents_and_supervisors():
    agent = p.agent_info("1001", first="Ada", last="Lovelace", supervisor=False, wrap_up_mode="OPTIONAL", team_id="1",
                         full_name="Ada Lovelace", login_name="ada").split("#")
    assert agent == ["1001", "AgentInfo", "Ada", "Lovelace", "False", "OPTIONAL", "1", "Ada Lovelace", "ada"]
    supervisor = p.agent_info("9001", first="Grace", last="Hopper", supervisor=True, wrap_up_mode="NOT_ALLOWED",
                              team_id="1", full_name="Grace Hopper", login_name="grace",
                              teams=[("1", "Team One"), ("2", "Team, Two")]).split("#")
    assert supervisor[4] == "True" and supervisor[6] == "TotalNumberOfTeams:2"
    assert supervisor[7] == "1,Team One|2,Team  Two"  # team names lose the reserved comma


def test_dialog_events_and_listings():
    text = p.dialog_event("1001", "InboundCall", dialog_state="HELD", dialog_id="16777216", other_party="+15550100",
                          variables={"callVariable1": "a=b", "x": "1"}, start_time="2026-01-01 00:00:00",
                          call_type="ACD_IN", called="4001", parties=[("2001", "HELD", ""), ("+15550100", "ACTIVE", "")])
    tokens = text.split("#")
    assert tokens[1:5] == ["InboundCall", "HELD", "dialogId:16777216", "+15550100"]
    assert tokens[5] == "callVariable1=a=b|x=1"
    assert tokens[7] == "callType:ACD_IN" and tokens[9].startswith("participants:2001,HELD")
    assert p.listing("1001", "Phonebooks", [], "NoPhoneBookFound") == "1001#Phonebooks#NoPhoneBookFound"
    assert p.reason_codes("1001", "NOT_READY", [("1", "Break"), ("2", "Lunch")]) == "1001#ReasonCodes#NOT_READY#1,2#Break,Lunch"
    assert p.system_status("ws1", True) == "ws1#IN_SERVICE" and p.system_status("ws1", False) == "ws1#OUT_OF_SERVICE"
    assert p.error("1001", "Login", "MISSING_PASSWORD", "no, password").split("#") == \
        ["1001", "Error", "Login", "MISSING_PASSWORD", "no  password"]
