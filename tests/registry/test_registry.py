"""ccsim/registry.py: the vendor declarations, read from the entry points and registered at run
time, checked when read; and what asks it (the face steps, the configuration, the contracts)."""
from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from ccsim import config as config_mod
from ccsim import contracts, registry
from ccsim.contracts import emitted
from ccsim.core import JournalEntry
from ccsim.registry import PER_CHANNEL_PAUSE, RegistryError, UnknownVendor, Vendor
from ccsim.scenario import loader
from ccsim.scenario.loader import ScenarioError
from ccsim.scenario.steps import parse_step
from ccsim.serving.face import Face

ROOT = Path(__file__).resolve().parents[2]
BUILT_IN = ("huawei", "finesse", "nice", "xcally", "intermedia")

# A vendor of the tests' own, in a package written to a temporary folder: a face, a face step, and
# contracts of its own (a response schema that $refs a body schema beside it).
TOY_PACKAGE = "ccsim_registry_toy"
TOY_FILES = {
    "__init__.py": '"""A vendor of tests/registry/test_registry.py."""\n',
    "face.py": textwrap.dedent('''\
        from dataclasses import dataclass

        from ccsim.serving.face import Face


        @dataclass
        class ToySettings:
            loud: bool = False


        class ToyFace(Face):
            name = "toy"
            Settings = ToySettings
        '''),
    "steps.py": textwrap.dedent('''\
        async def HELLO(run):
            return None


        def parse(agent, op, args, ctx):
            raise ctx.error(f"toy agent step {op}")


        def parse_face_step(op, args, ctx):
            return HELLO
        '''),
    "contracts/body.schema.json": '{"type": "object", "required": ["greeting"], '
                                  '"properties": {"greeting": {"type": "string"}}}',
    "contracts/responses/hello.schema.json": '{"$id": "https://ccsim.dev/contracts/toy/responses/hello.schema.json", '
                                             '"type": "object", "required": ["status", "body"], '
                                             '"properties": {"status": {"const": 200}, '
                                             '"body": {"$ref": "../body.schema.json"}}}',
}
TOY = Vendor(name="toy", title="Toy", description="a vendor of the registry's tests", port_offset=9,
             face=f"{TOY_PACKAGE}.face:ToyFace", steps=f"{TOY_PACKAGE}.steps", contracts=f"{TOY_PACKAGE}:contracts")


def write_package(root: Path, name: str, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def toy_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The folder holding the toy's package, on sys.path while this module's tests run."""
    root = tmp_path_factory.mktemp("toy")
    write_package(root, TOY_PACKAGE, TOY_FILES)
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(root))
        yield root


@pytest.fixture(autouse=True)
def only_the_built_in_vendors_after() -> Iterator[None]:
    """A test that registers and then fails leaves no vendor behind for the next."""
    yield
    for name in set(registry.names()) - set(BUILT_IN):
        registry.unregister(name)


# -- the built-in declarations ----------------------------------------------------------------------
def test_the_built_in_vendors_in_their_order():
    """The order of the port offsets is FACES' order before the registry: config sections,
    listings, `ccsim check`'s faces all follow it."""
    assert registry.names() == BUILT_IN
    assert [v.port_offset for v in registry.vendors()] == [1, 2, 3, 4, 5]
    assert [v.title for v in registry.vendors()] == ["Huawei", "Finesse", "CXone", "XCALLY", "Intermedia"]
    assert registry.with_capability(PER_CHANNEL_PAUSE) == (registry.get("xcally"),)
    assert registry.get("xcally").extra_ports == {"phonebars' remote control, one per agent that has it on": (10, 90)}


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_reference_of_a_built_in_vendor_resolves(name: str):
    vendor = registry.get(name)
    face = vendor.face_class()
    assert issubclass(face, Face) and face.name == name
    assert callable(vendor.steps_module().parse)
    package = vendor.conformance_package()
    assert package is not None and package.Machine and all(m.face == name for m in package.MUTANTS)
    assert package.__name__ == f"ccsim.vendors.{name}.conformance"
    for optional in (vendor.load_agent_class(), vendor.fuzz_inputs()):
        assert optional is None or callable(optional)
    assert vendor.contracts_folder() is None  # ccsim's contracts/<name>/
    assert contracts.path_of(f"{name}/openapi.json") == contracts.contracts_dir() / name / "openapi.json"


def test_reading_the_declarations_imports_no_face():
    """`ccsim serve --help` and the configuration read the declarations: they import neither a
    face nor what faces are built on."""
    code = ("import sys; from ccsim import registry; registry.vendors(); "
            "print(sorted(m for m in sys.modules if m.startswith(('aiohttp', 'hypothesis', 'socketio', 'stomp')) "
            "or m.startswith('ccsim.vendors.') and not m.endswith(('.vendor', '.settings')) and m.count('.') > 2))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_unknown_name_says_the_known_ones():
    with pytest.raises(UnknownVendor) as caught:
        registry.get("avaya")
    assert str(caught.value) == "unknown face 'avaya'; known: huawei, finesse, nice, xcally, intermedia"


# -- run-time registration ------------------------------------------------------------------------------
def test_registered_joins_by_its_port_offset_and_leaves(monkeypatch: pytest.MonkeyPatch, toy_package: Path):
    monkeypatch.setattr(registry, "_callbacks", list(registry._callbacks))  # this test's callback leaves with it
    seen = []
    registry.on_change(lambda: seen.append(registry.names()))
    with registry.registered(TOY):
        assert registry.names() == (*BUILT_IN, "toy")
        assert registry.get("toy") is TOY and registry.get("toy").face_class().name == "toy"
        assert config_mod.Config().faces_enabled == [*BUILT_IN, "toy"]
        assert config_mod.highest_port_offset() == 99
    assert registry.names() == BUILT_IN
    assert seen == [(*BUILT_IN, "toy"), BUILT_IN]
    with pytest.raises(UnknownVendor):
        registry.get("toy")
    with pytest.raises(UnknownVendor, match="no vendor 'huawei' was registered at run time"):
        registry.unregister("huawei")


BAD = [
    (dict(name="Toy"), "name 'Toy' must be a lowercase letter"),
    (dict(name="toy-face"), "name 'toy-face' must be"),
    (dict(name="a_name_of_17_char"), "must be a lowercase letter, then up to 15"),
    (dict(name="customers"), "name 'customers' is a word of the step library's own steps"),
    (dict(name="admin"), "name 'admin' is a word of the step library's own steps"),
    (dict(port_offset=0), "port_offset 0 must be from 1 to 9"),
    (dict(port_offset=10), "port_offset 10 must be from 1 to 9"),
    (dict(port_offset=3), "port_offset 3 of toy is nice's too"),
    (dict(name="huawei", port_offset=9), "vendor 'huawei' is registered twice"),
    (dict(extra_ports={"x": (9, 2)}), "extra_ports 'x': (9, 2) must be (first offset, count) lying in 10-99"),
    (dict(extra_ports={"x": (99, 2)}), "extra_ports 'x': (99, 2) must be"),
    (dict(extra_ports={"x": (20, 0)}), "extra_ports 'x': (20, 0) must be"),
    (dict(extra_ports={"x": 20}), "extra_ports 'x': 20 must be"),
    (dict(extra_ports={"x": (95, 2)}), "extra ports of toy and xcally overlap (offset 95)"),
    (dict(capabilities=frozenset({"transfer"})), "unknown capabilities transfer (known: per-channel-pause)"),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[m for _, m in BAD])
def test_a_bad_declaration_is_refused_and_changes_nothing(change: dict, message: str):
    with pytest.raises(RegistryError, match=f"^registered vendor .*{re.escape(message)}"):
        registry.register(dataclasses.replace(TOY, **change))
    assert registry.names() == BUILT_IN


def test_not_a_declaration_is_refused():
    with pytest.raises(RegistryError, match="is a dict, not a ccsim.registry.Vendor"):
        registry.register({"name": "toy"})  # type: ignore[arg-type]


def test_a_face_of_another_name_is_refused(toy_package: Path):
    misnamed = dataclasses.replace(TOY, name="toy2")
    with registry.registered(misnamed):
        with pytest.raises(RegistryError, match="its face ccsim_registry_toy.face:ToyFace is named 'toy', not 'toy2'"):
            misnamed.face_class()


def test_an_outcome_by_the_entry_face(monkeypatch: pytest.MonkeyPatch, toy_package: Path):
    journal = ModuleType("ccsim_registry_toy_journal")
    journal.outcome = lambda entry: (entry.get("response") or {}).get("code")  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, journal.__name__, journal)
    with registry.registered(dataclasses.replace(TOY, outcome=f"{journal.__name__}:outcome", outcome_label="code")):
        assert registry.outcome({"face": "toy", "response": {"code": "E7"}}) == ("code", "E7")
        assert registry.outcome({"face": "toy", "response": {}}) is None
    assert registry.outcome({"face": "huawei", "response": {"body": {"retcode": "0"}}}) is None  # none declared yet
    assert registry.outcome({"face": "toy", "response": {"code": "E7"}}) is None


# -- what asks the registry --------------------------------------------------------------------------------
def test_a_face_step_is_a_registered_vendor_s(toy_package: Path, tmp_path: Path):
    config = config_mod.Config()
    with pytest.raises(ScenarioError) as caught:
        parse_step({"toy hello": None}, "<t>", config, 4)
    assert str(caught.value) == ("<t>:4: unknown step 'toy hello'; steps are: customer calls, customer hangs up, "
                                 "customer abandons, calls arrive, wait, repeat, concurrently, expect ..., "
                                 "agent <id> <face> <operation>")
    # Six faces' default memory budgets are over the default ceiling: the toy is served alone.
    (tmp_path / "toy-config.yaml").write_text("enable: [toy]\n", encoding="utf-8")
    scenario = "name: toy\nconfig: toy-config.yaml\nsteps:\n  - toy hello\n  - expect toy hello: {}\n"
    with pytest.raises(ScenarioError, match="^toy.yaml:4: unknown step 'toy hello'; steps are: "):
        loader.loads(scenario, path="toy.yaml", base_dir=tmp_path)
    with registry.registered(TOY):
        steps = TOY.steps_module()
        assert parse_step({"toy hello": None}, "<t>", config, 4).action is steps.HELLO
        assert parse_step("expect toy hello", "<t>", config, 5).action is steps.HELLO
        loaded = loader.loads(scenario, path="toy.yaml", base_dir=tmp_path)
        assert [s.action for s in loaded.steps] == [steps.HELLO, steps.HELLO]


def test_the_configuration_takes_a_registered_vendor_s_sections(toy_package: Path):
    data = {"agents": [{"id": "1", "toy": {"pin": "1"}}], "faces": {"toy": {"loud": True}}, "enable": ["toy", "nice"]}
    with registry.registered(TOY):
        cfg = config_mod.from_mapping(data, "toy.yaml")
        assert cfg.faces == {"toy": {"loud": True}} and cfg.faces_enabled == ["nice", "toy"]
        with pytest.raises(config_mod.FaceSettingsError, match="faces.toy: unknown setting.s. quiet"):
            config_mod.from_mapping({"faces": {"toy": {"quiet": True}}, "enable": ["toy"]}, "toy.yaml")
    with pytest.raises(config_mod.ConfigError, match=r"unknown key\(s\) toy \(faces: huawei, finesse, nice, xcally, "
                                                     r"intermedia\)"):
        config_mod.from_mapping(data, "toy.yaml")


def test_a_vendor_s_own_contracts_are_known_by_its_name(toy_package: Path):
    def hello(body: dict) -> JournalEntry:
        return JournalEntry(1, 0.0, "toy", "http", "hello", None, {"method": "GET", "path": "/hello"},
                            {"status": 200, "body": body})

    assert not contracts.exists("toy/responses/hello.schema.json")
    with registry.registered(TOY):
        assert contracts.exists("toy/responses/hello.schema.json")
        assert contracts.path_of("toy/body.schema.json") == toy_package / TOY_PACKAGE / "contracts" / "body.schema.json"
        assert emitted.entry_violations(hello({"greeting": "hi"})) == []
        assert emitted.entry_violations(hello({"greeting": 1})) == ["#1 toy hello GET /hello: body/greeting: "
                                                                    "1 is not of type 'string'"]
        assert contracts.load("config.schema.json")["title"]  # ccsim's own contracts stay where they are
    assert emitted.entry_violations(hello({"greeting": "hi"})) == [
        "#1 toy hello GET /hello: no contract toy/responses/hello.schema.json"]


# -- the entry points (as a separately installed distribution declares them) ----------------------------
def run_python(code: str, path: list[Path], *flags: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, path))}
    return subprocess.run([sys.executable, *flags, "-c", code], capture_output=True, text=True, env=env, timeout=60)


def write_distribution(root: Path, name: str, entry_points: str) -> None:
    info = root / f"{name}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[{registry.ENTRY_POINT_GROUP}]\n{entry_points}\n", encoding="utf-8")


def test_a_distribution_s_entry_point_declares_a_vendor(tmp_path: Path):
    write_package(tmp_path, TOY_PACKAGE, {**TOY_FILES, "vendor.py": textwrap.dedent(f'''\
        from ccsim.registry import Vendor

        VENDOR = Vendor(name="toy", title="Toy", description="toy", port_offset=9,
                        face="{TOY_PACKAGE}.face:ToyFace", steps="{TOY_PACKAGE}.steps")
        ''')})
    write_distribution(tmp_path, "ccsim_toy", f"toy = {TOY_PACKAGE}.vendor:VENDOR")
    out = run_python("from ccsim import registry; print(registry.names(), registry.get('toy').face_class().name)",
                     [tmp_path])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"{(*BUILT_IN, 'toy')} toy"


@pytest.mark.parametrize(("entry_point", "message"), [
    ("toy = ccsim_registry_nowhere.vendor:VENDOR",
     "entry point toy = ccsim_registry_nowhere.vendor:VENDOR (distribution ccsim_broken, group ccsim.vendors) "
     "does not load: ModuleNotFoundError: No module named 'ccsim_registry_nowhere'"),
    ("other = ccsim.vendors.huawei.vendor:VENDOR",
     "entry point other = ccsim.vendors.huawei.vendor:VENDOR (distribution ccsim_broken, group ccsim.vendors): "
     "declares vendor 'huawei', not 'other'"),
    ("toy = ccsim.registry:NAME",
     "entry point toy = ccsim.registry:NAME (distribution ccsim_broken, group ccsim.vendors): "
     "is a Pattern, not a ccsim.registry.Vendor"),
])
def test_a_broken_entry_point_names_itself_and_its_distribution(tmp_path: Path, entry_point: str, message: str):
    write_distribution(tmp_path, "ccsim_broken", entry_point)
    out = run_python("from ccsim import registry\ntry:\n    registry.names()\nexcept registry.RegistryError as e:\n"
                     "    print(e)", [tmp_path])
    assert out.stdout.strip() == message, out.stderr


def test_no_vendor_at_all_says_to_install(tmp_path: Path):
    """ccsim's source without its installation (no entry points: a stale or missing venv)."""
    out = run_python("from ccsim import registry\ntry:\n    registry.names()\nexcept registry.RegistryError as e:\n"
                     "    print(e)", [ROOT], "-S")
    assert out.stdout.strip() == ("no vendor is registered (entry-point group ccsim.vendors): is ccsim installed? "
                                  "run make venv"), out.stderr
