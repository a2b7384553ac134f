"""Suite files: which YAML files are suites, reading and schema validation, the typed Suite, the
checks a schema cannot express, and `trustcheck init` (the packaged suites copied into a
project).
"""
