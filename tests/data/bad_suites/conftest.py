"""The malformed suites here are test input, read by tests/robustness: never collect them."""

collect_ignore_glob = ["*.yaml", "*.yml"]
