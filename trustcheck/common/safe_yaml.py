"""YAML for files a stranger may have written: data only, bounded, every failure a YAMLError.

Suites are data. The loader is a SafeLoader (no tags that build Python objects), rejects
duplicate keys, refuses documents whose aliases expand past a size limit ("billion laughs")
or refer to themselves, and turns the ValueErrors and RecursionErrors PyYAML lets through on
hostile scalars and nesting into YAMLErrors with a position.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, SequenceNode

# Values aliases may add to a document: far above any real suite's use of anchors.
MAX_EXPANDED_NODES = 1_000_000


class UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys instead of keeping the last one silently."""


def _construct_mapping(loader: UniqueKeyLoader, node: MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            duplicate = key in seen
        except TypeError:  # a list or mapping as a key
            raise ConstructorError(None, None, "a key that is a list or mapping", key_node.start_mark) from None
        if duplicate:
            raise ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


def _guarded(tag: str):
    """The SafeLoader constructor for `tag`, with its ValueError turned into a positioned error.

    PyYAML calls int() and datetime() on scalars: a 5000-digit integer or 2023-13-45 would
    otherwise escape as a bare ValueError.
    """
    construct = yaml.SafeLoader.yaml_constructors[tag]
    kind = tag.rsplit(":", 1)[-1]

    def guarded(loader: UniqueKeyLoader, node: Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError) as error:
            shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
            reason = str(error).split(";")[0].split(":")[0]
            raise ConstructorError(None, None, f"unreadable {kind} {shown!r} ({reason})", node.start_mark) from None

    return guarded


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
for _tag in ("int", "float", "timestamp"):
    UniqueKeyLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _guarded(f"tag:yaml.org,2002:{_tag}"))


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return node.value
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _alias_expansion(root: Node, limit: int) -> int:
    """Values that aliases add when the document is expanded; raises past `limit` or on a cycle.

    Only repeated references to a node count: a large document without aliases (150,000 inline
    items) adds nothing, however many nodes it has. A node reached again is an alias; it adds
    its whole expanded size (nested aliases included), which is memoised per node.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    added = 0

    def size(node: Node) -> int:
        nonlocal added
        key = id(node)
        if key in sizes:  # an alias to a node already read
            added += sizes[key]
            if added > limit:
                raise ConstructorError(None, None, f"aliases that expand to more than {limit} values", node.start_mark)
            return sizes[key]
        if key in on_path:
            raise ConstructorError(None, None, "an alias that refers to the node containing it", node.start_mark)
        on_path.add(key)
        total = 1 + sum(size(child) for child in _children(node))
        on_path.discard(key)
        sizes[key] = total
        return total

    size(root)
    return added


def load_yaml(text: str, max_nodes: int = MAX_EXPANDED_NODES) -> Any:
    """Parse one YAML document safely; every problem is raised as a yaml.YAMLError."""
    loader = UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _alias_expansion(node, max_nodes)
        return loader.construct_document(node)
    except RecursionError:
        raise yaml.YAMLError("nesting too deep to read") from None
    finally:
        loader.dispose()
