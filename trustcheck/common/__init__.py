"""Shared by every stage: user-facing errors, credential redaction, printable text, safe reading of
JSON, YAML and regexes, file locks, HTTP deadlines and path checks.
"""
