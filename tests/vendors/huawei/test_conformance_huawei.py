"""`ccsim check --face huawei`: passes on ccsim, deterministically; kills every mutant."""
from __future__ import annotations

import pytest

from ccsim.vendors.huawei.conformance import MUTANTS

from support.conformance import assert_check_passes, assert_mutant_killed

EXAMPLES = 40


def test_the_check_passes_on_ccsim_the_same_way_every_time():
    assert_check_passes("huawei", EXAMPLES)


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_every_mutant_is_killed_by_its_invariant(mutant, tmp_path):
    assert_mutant_killed(mutant, EXAMPLES, tmp_path)
