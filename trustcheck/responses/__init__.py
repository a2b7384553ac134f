"""From a model spec to responses: model specs and profiles, one model per process behind the
response cache, request keys, the cache of evaluation services and `--trust-record`.
"""
