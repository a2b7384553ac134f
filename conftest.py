"""Makes `pytest suites/...` work in a checkout without installing trustcheck."""

from importlib.metadata import entry_points

# An installed trustcheck is already loaded through its pytest11 entry point.
if not any(ep.value == "trustcheck.plugin" for ep in entry_points(group="pytest11")):
    pytest_plugins = ["trustcheck.plugin"]
