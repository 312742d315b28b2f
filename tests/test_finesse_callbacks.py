"""Personal callbacks and reclassify on an outbound preview dialog: only the agent who dealt with the
call may send them (seed 002: "Only an agent who dealt with the original call can set a personal
callback"), and `targetMediaAddress` is its own extension ("the extension of the agent who is
making the request")."""
from __future__ import annotations

import pytest

from test_finesse_face import App, app_factory, finesse_config  # noqa: F401  (fixture)

WHEN = "2026-03-07T14:30"


@pytest.fixture
def sim_config():
    return finesse_config()


async def preview_for_ada(app_factory, sim) -> tuple[App, App, str]:  # noqa: F811
    """Ada (1001) READY with a preview ringing, Alan (1002) signed in beside her; the dialog id."""
    ada, alan = await app_factory("ws1"), await app_factory("ws2")
    await alan.sign_in("1002", "2002", ready=False)
    await ada.sign_in("1001", "2001")
    sim.world.inject("sales", caller="+15550100", data={"preview": True})
    ringing = await ada.events(2)
    assert ringing[0][2] == "RESERVED_OUTBOUND_PREVIEW"
    return ada, alan, ringing[1][4].split(":")[1]


async def test_only_the_agent_on_the_call_schedules_its_callback(app_factory, sim):  # noqa: F811
    ada, alan, dialog = await preview_for_ada(app_factory, sim)
    for jms_type, body in [("SHCEDULECALLBACK#1002", f"2002,{dialog},{WHEN},5551234"),
                           ("UPDATECALLBACK#1002", f"2002,{dialog},{WHEN},5551234"),
                           ("CANCELSHCEDULECALLBACK#1002", f"2002,{dialog}"),
                           ("RECLASSIFYCALL#1002", f"2002,{dialog},FAX")]:
        await alan.send(jms_type, body)
        assert (await alan.event())[:4] == ["1002", "Error", jms_type.split("#")[0], "INVALID_DIALOG_ID"]
    assert await ada.quiet(1)
    known = sim.faces["finesse"].model.dialogs.by_id
    assert known[dialog].callback is None and "BAResponse" not in known[dialog].variables
    # Ada's own, but naming another extension than hers: WRONG_EXTENSION.
    await ada.send("SHCEDULECALLBACK#1001", f"2002,{dialog},{WHEN},5551234")
    assert (await ada.event())[3] == "WRONG_EXTENSION"
    await ada.send("RECLASSIFYCALL#1001", f"2999,{dialog},FAX")
    assert (await ada.event())[3] == "WRONG_EXTENSION"
    await ada.send("SHCEDULECALLBACK#1001", f"2001,{dialog},{WHEN},5551234")
    assert (await ada.event())[1:3] == ["Control", "CALLBACK_SCHEDULED"]
    assert known[dialog].callback == {"callbackTime": WHEN, "callbackNumber": "5551234"}


async def test_the_agent_who_took_the_call_may_still_set_it_after_the_call(app_factory, sim, admin):  # noqa: F811
    ada, alan, dialog = await preview_for_ada(app_factory, sim)
    await ada.send("AnswerCall#1001", dialog)
    await ada.events(2)
    contact = next(c for c in sim.world.contacts.values() if c.data.get("preview"))
    await admin.hangup(contact.id)
    assert [e[1] for e in await ada.events(2)] == ["InboundCall", "State"]  # DROPPED, READY
    await ada.send("SHCEDULECALLBACK#1001", f"2001,{dialog},{WHEN},")
    assert (await ada.event())[1:4] == ["Control", "CALLBACK_SCHEDULED", f"dialogId:{dialog} callbackTime:{WHEN} "
                                        "callbackNumber:+15550100"]
    await alan.send("CANCELSHCEDULECALLBACK#1002", f"2002,{dialog}")  # still not Alan's
    assert (await alan.event())[3] == "INVALID_DIALOG_ID"


async def test_an_agent_whose_preview_rang_out_did_not_deal_with_it(app_factory, sim):  # noqa: F811
    ada, _, dialog = await preview_for_ada(app_factory, sim)
    await ada.send("RejectOutboundPreview#1001", f"{dialog},REJECT")
    assert [e[1] for e in await ada.events(2)] == ["InboundCall", "State"]
    await ada.send("RECLASSIFYCALL#1001", f"2001,{dialog},VOICE")  # it never talked on it
    assert (await ada.event())[3] == "INVALID_DIALOG_ID"


def few_ended_kept():
    cfg = finesse_config()
    cfg.ended_contacts_kept = 3
    return cfg


@pytest.mark.parametrize("sim_config", [few_ended_kept()])
async def test_dialogs_that_are_over_are_kept_as_long_as_ended_contacts(app_factory, sim, admin):  # noqa: F811
    """Memory stays bounded: the face forgets the oldest dialogs that are over, beyond the
    world's `ended_contacts_kept`; a callback on a forgotten one is INVALID_DIALOG_ID."""
    ada = await app_factory("ws1")
    await ada.sign_in("1001", "2001")
    dialogs = []
    for n in range(6):
        contact = sim.world.inject("sales", caller=f"+1555010{n}", data={"preview": True})
        dialogs.append((await ada.events(2))[1][4].split(":")[1])
        await ada.send("AnswerCall#1001", dialogs[-1])
        await ada.events(2)
        await admin.hangup(contact.id)
        await ada.events(2)
    assert list(sim.faces["finesse"].model.dialogs.by_id) == dialogs[-3:]
    await ada.send("SHCEDULECALLBACK#1001", f"2001,{dialogs[0]},{WHEN},")
    assert (await ada.event())[3] == "INVALID_DIALOG_ID"
    await ada.send("SHCEDULECALLBACK#1001", f"2001,{dialogs[-1]},{WHEN},")
    assert (await ada.event())[2] == "CALLBACK_SCHEDULED"
