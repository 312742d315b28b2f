"""Face settings are checked against their dataclass annotations in one place (serving/face.py
build_settings), so `poll_hold_seconds: "10"` reads "must be a number", not a comparison error."""
from __future__ import annotations

import dataclasses
import typing

import pytest

from ccsim import registry
from ccsim.serving.face import SettingsError, build_settings
from ccsim.serving.setting_types import accepts


@pytest.mark.parametrize("face, values, message", [
    ("huawei", {"poll_hold_seconds": "10"}, "faces.huawei.poll_hold_seconds must be a number, not '10'"),
    ("huawei", {"max_agent_id": 59999.5}, "faces.huawei.max_agent_id must be a whole number"),
    ("huawei", {"allow_force_login": 1}, "faces.huawei.allow_force_login must be true or false, not 1"),
    ("huawei", {"unreachable_numbers": [5550100]}, "faces.huawei.unreachable_numbers must be a list of strings"),
    ("finesse", {"activemq_login": 42}, "faces.finesse.activemq_login must be a string or null"),
    ("finesse", {"reason_codes": {"NOT_READY": "Break"}},
     "faces.finesse.reason_codes must be a mapping of lists of mappings"),
    ("nice", {"business_unit": 4593144}, "faces.nice.business_unit must be a string, not 4593144"),
    ("nice", {"token_ttl_seconds": float("nan")}, "faces.nice.token_ttl_seconds must be a number"),
    ("xcally", {"socket_events": ["interaction:offer"]}, "faces.xcally.socket_events must be a mapping of strings"),
    ("intermedia", {"talk_seconds": "2m"}, "faces.intermedia.talk_seconds must be a number or null"),
])
def test_every_setting_is_checked_against_its_annotation(face, values, message):
    with pytest.raises(SettingsError) as caught:
        build_settings(registry.get(face).face_class().Settings, values, face)
    assert str(caught.value).startswith(message)
    assert caught.value.setting == next(iter(values))


def test_settings_of_the_right_types_are_taken_as_they_are():
    settings = build_settings(registry.get("huawei").face_class().Settings, {"poll_hold_seconds": 5, "ring_timeout_seconds": 1.5,
                                                             "unreachable_numbers": ["5550100"]}, "huawei")
    assert settings.poll_hold_seconds == 5 and settings.unreachable_numbers == ["5550100"]
    intermedia = build_settings(registry.get("intermedia").face_class().Settings, {"answer_after_seconds": None}, "intermedia")
    assert intermedia.answer_after_seconds is None


@pytest.mark.parametrize("url", ["halo.example.com/api/notify/intermedia", "not a url", "ftp://halo.example.com/",
                                 "https://", "https://halo.example.com:99999/", "https://halo example.com/", 42])
def test_an_intermedia_webhook_that_is_not_an_http_url_is_refused(url):
    with pytest.raises(SettingsError, match="webhook url must be an http:// or https:// URL"):
        build_settings(registry.get("intermedia").face_class().Settings, {"webhooks": [{"url": url}]}, "intermedia")
    good = build_settings(registry.get("intermedia").face_class().Settings,
                          {"webhooks": [{"url": "https://halo.example.com/api/notify/intermedia"}]}, "intermedia")
    assert good.webhooks[0].url == "https://halo.example.com/api/notify/intermedia"


def test_every_default_of_every_face_has_its_annotated_type():
    """Checking against annotations refuses nothing a face itself would use: its own defaults."""
    for name in registry.names():
        settings_class = registry.get(name).face_class().Settings
        hints = typing.get_type_hints(settings_class)
        defaults = settings_class()
        wrong = [f.name for f in dataclasses.fields(settings_class) if not accepts(hints[f.name], getattr(defaults, f.name))]
        assert not wrong, (name, wrong)
