"""pytest plugin for benchmarks: writes the controller's peak RSS (KiB) to $TRUSTCHECK_RSS_FILE."""

import os
import resource


def pytest_unconfigure(config):
    path = os.environ.get("TRUSTCHECK_RSS_FILE")
    if path and not hasattr(config, "workerinput"):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
