"""The pytest run: suite files collected into items, items grouped into units of work, per-process
runtime, options, the controller's hooks, progress, and test reports crossing from xdist
workers.
"""
