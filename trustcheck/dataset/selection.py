"""From a suite's data to the items it tests: filtering, ids, categories, stratified sampling."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..common.errors import DataError
from ..common.terminal_text import well_formed
from ..suite.schema_errors import describe_value
from ..suite.suite import Suite

_SLUG = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class SelectedItem:
    """One dataset item chosen for a run, with what the pytest item needs."""

    index: int
    item_id: str
    prompt: str
    category: str | None
    data: Mapping[str, Any]


def field_value(item: Mapping[str, Any], path: str) -> Any:
    """A dotted path into an item: `label.0` is item["label"][0]; None when absent."""
    value: Any = item
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def slug(text: str) -> str:
    return _SLUG.sub("_", text).strip("_") or "_"


def matches_where(item: Mapping[str, Any], where: Mapping[str, Any]) -> bool:
    for path, wanted in where.items():
        value = field_value(item, path)
        if isinstance(wanted, list) and value not in wanted:
            return False
        if not isinstance(wanted, list) and value != wanted:
            return False
    return True


def item_source(suite: Suite) -> str:
    """Where a suite's items come from, as error messages name it (followed by `[index]`)."""
    return suite.data.file or f"{suite.path}: $.data.items"


def _item_id(suite: Suite, item: Mapping[str, Any], index: int, width: int) -> str:
    if suite.data.id:
        value = field_value(item, suite.data.id)
        if value is None:
            raise DataError(item_source(suite), f"field {suite.data.id!r}: expected an item id, found nothing", index)
        return slug(str(value))
    return f"item-{index:0{width}d}"


def _prompt(suite: Suite, item: Mapping[str, Any], index: int) -> str:
    prompt = field_value(item, suite.data.prompt)
    if not isinstance(prompt, str) or not prompt.strip():
        found = "nothing" if prompt is None else describe_value(prompt)
        raise DataError(item_source(suite), f"field {suite.data.prompt!r}: expected a non-empty string, found {found}", index)
    # A JSON escape can leave half a surrogate pair, which no backend, cache or report can encode.
    return well_formed(prompt)


def all_items(suite: Suite, raw_items: Sequence[Mapping[str, Any]]) -> list[SelectedItem]:
    width = max(4, len(str(len(raw_items) - 1)))
    selected = []
    for index, item in enumerate(raw_items):
        if not matches_where(item, suite.data.where):
            continue
        category = field_value(item, suite.data.category) if suite.data.category else None
        selected.append(
            SelectedItem(
                index=index,
                item_id=_item_id(suite, item, index, width),
                prompt=_prompt(suite, item, index),
                category=None if category is None else str(category),
                data=item,
            )
        )
    _reject_duplicate_ids(suite, selected)
    return selected


def _reject_duplicate_ids(suite: Suite, items: Sequence[SelectedItem]) -> None:
    seen: dict[tuple[str | None, str], int] = {}
    for item in items:
        key = (item.category, item.item_id)
        if key in seen:
            raise DataError(item_source(suite), f"expected unique item ids, found {item.item_id!r} again (first at item {seen[key]})", item.index)
        seen[key] = item.index


def _rank(seed: int, suite_name: str, key: str) -> str:
    return hashlib.sha256(f"{seed}\0{suite_name}\0{key}".encode()).hexdigest()


def _stratum(suite: Suite, item: SelectedItem) -> tuple[str, ...]:
    strata = suite.sample.strata if suite.sample.strata is not None else (("category",) if suite.data.category else ())
    return tuple(str(item.category if s == "category" else field_value(item.data, s)) for s in strata)


PAIR_GROUP = "@pair"


def _consecutive_pairs(items: Sequence[SelectedItem]) -> dict[int, str]:
    """Items 2k and 2k+1 of each category form a pair (sycophancy's opposite-opinion prompts)."""
    position: dict[str | None, int] = defaultdict(int)
    pairs = {}
    for item in items:
        pairs[item.index] = f"{item.category}\0{position[item.category] // 2}"
        position[item.category] += 1
    return pairs


def sample_items(suite: Suite, items: Sequence[SelectedItem], per_stratum: int | None, seed: int) -> list[SelectedItem]:
    """Deterministic stratified sample: the same seed always picks the same items.

    Items that must stay together (AdvGLUE pairs, variants of one instruction) are sampled as
    groups via `sample.group_by`: a field, or "@pair" for consecutive pairs within a category. `per_stratum=None` keeps everything.
    """
    if per_stratum is None:
        return list(items)
    group_field = suite.sample.group_by
    pair_of = _consecutive_pairs(items) if group_field == PAIR_GROUP else {}

    def group_key(item: SelectedItem) -> str:
        if group_field == PAIR_GROUP:
            return pair_of[item.index]
        return str(field_value(item.data, group_field)) if group_field else f"{item.category}\0{item.item_id}"

    strata: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for item in items:
        strata[_stratum(suite, item)].add(group_key(item))
    chosen: set[str] = set()
    for keys in strata.values():
        chosen.update(sorted(keys, key=lambda k: _rank(seed, suite.name, k))[:per_stratum])
    return [item for item in items if group_key(item) in chosen]
