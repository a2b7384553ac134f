"""Units of work: across categories when one process runs every item, within a scope on an xdist
worker; never across generation settings; chunks of --trust-batch-size in run order."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from plugin_project import REFUSAL, items_for, suite_yaml

from trustcheck.run.units import Unit, build_units
from trustcheck.suite.suite import GenerationSpec

GREEDY = GenerationSpec(temperature=0.0, max_new_tokens=32, mode="chat", stop=())
SAMPLED = GenerationSpec(temperature=1.0, max_new_tokens=256, mode="chat", stop=())


@dataclass
class _Item:
    """What build_units reads of a TrustItem: its node id, parent node and suite's settings."""

    nodeid: str
    generation: GenerationSpec = GREEDY
    unit: Unit | None = field(default=None, repr=False)

    @property
    def parent(self) -> SimpleNamespace:
        return SimpleNamespace(nodeid=self.nodeid.rsplit("::", 1)[0])

    @property
    def suite(self) -> SimpleNamespace:
        return SimpleNamespace(generation=self.generation)


def _items(*scopes: tuple[str, int], generation: GenerationSpec = GREEDY) -> list[_Item]:
    return [_Item(f"{scope}::i{n}", generation) for scope, count in scopes for n in range(count)]


def _ids(units: list[Unit]) -> list[list[str]]:
    return [[item.nodeid for item in unit.items] for unit in units]


def test_one_process_batches_across_categories_and_suites_in_run_order():
    items = _items(("a.yaml::cot", 3), ("a.yaml::url", 3), ("b.yaml::x", 2))
    units = build_units(items, 32, per_scope=False)  # type: ignore[arg-type]
    assert _ids(units) == [[item.nodeid for item in items]]
    assert all(item.unit is units[0] for item in items)


def test_an_xdist_worker_batches_within_one_scope():
    items = _items(("a.yaml::cot", 3), ("a.yaml::url", 3), ("b.yaml::x", 2))
    units = build_units(items, 32, per_scope=True)  # type: ignore[arg-type]
    assert _ids(units) == [[f"a.yaml::cot::i{n}" for n in range(3)], [f"a.yaml::url::i{n}" for n in range(3)], ["b.yaml::x::i0", "b.yaml::x::i1"]]


def test_units_never_mix_generation_settings():
    greedy, sampled, later = _items(("a.yaml::cot", 2)), _items(("b.yaml::x", 3), generation=SAMPLED), _items(("c.yaml::y", 2))
    items = [*greedy, *sampled, *later]
    across = build_units(items, 4, per_scope=False)  # type: ignore[arg-type]
    assert _ids(across) == [[item.nodeid for item in greedy + later], [item.nodeid for item in sampled]]
    within = build_units(items, 4, per_scope=True)  # type: ignore[arg-type]
    assert _ids(within) == [[item.nodeid for item in group] for group in (greedy, sampled, later)]
    assert all(len({item.suite.generation for item in unit.items}) == 1 for unit in across + within)


def test_units_are_chunks_of_the_batch_size_in_run_order():
    items = _items(("a.yaml::cot", 4), ("a.yaml::url", 3), ("b.yaml::x", 3))
    units = build_units(items, 4, per_scope=False)  # type: ignore[arg-type]
    assert _ids(units) == [[item.nodeid for item in items[start : start + 4]] for start in (0, 4, 8)]
    assert [len(unit.items) for unit in build_units(items, 1, per_scope=False)] == [1] * 10  # type: ignore[arg-type]


# -- whole runs with the scripted model -------------------------------------------------------


def _two_suites(project, temperature_of_b: float = 0) -> str:
    project.suite("a.yaml", suite_yaml("a", items_for({"cot": ["a r1", "a r2", "a r3"], "url": ["a r4", "a r5"]})))
    b = suite_yaml("b", items_for({"x": ["b r1", "b r2"], "y": ["b r3"]}))
    project.suite("b.yaml", b.replace("temperature: 0", f"temperature: {temperature_of_b}"))
    return project.script([("r", REFUSAL)])


def test_a_run_without_workers_generates_across_categories_and_suites(project):
    result = project.run("--trust-full", "--trust-batch-size", "4", "--model", _two_suites(project))
    result.assert_outcomes(passed=8)
    assert [entry["prompts"] for entry in project.batches()] == [["a r1", "a r2", "a r3", "a r4"], ["a r5", "b r1", "b r2", "b r3"]]


def test_a_run_without_workers_never_mixes_generation_settings(project):
    result = project.run("--trust-full", "--model", _two_suites(project, temperature_of_b=0.7))
    result.assert_outcomes(passed=8)
    batches = project.batches()
    assert [entry["prompts"] for entry in batches] == [["a r1", "a r2", "a r3", "a r4", "a r5"], ["b r1", "b r2", "b r3"]]
    assert all(len(entry["settings"]) == 1 for entry in batches)


def test_xdist_workers_generate_one_category_at_a_time(project):
    result = project.run("--trust-full", "--trust-batch-size", "2", "--model", _two_suites(project), "-n", "2", subprocess=True)
    assert result.ret == 0
    category = {"a r1": "a::cot", "a r2": "a::cot", "a r3": "a::cot", "a r4": "a::url", "a r5": "a::url",
                "b r1": "b::x", "b r2": "b::x", "b r3": "b::y"}
    batches = [entry["prompts"] for entry in project.batches()]
    assert all(len({category[prompt] for prompt in prompts}) == 1 for prompts in batches), batches
    assert sorted(map(len, batches)) == [1, 1, 2, 2, 2]  # cot 2+1, url 2, x 2, y 1
