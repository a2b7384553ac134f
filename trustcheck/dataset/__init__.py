"""The TrustLLM dataset: where it lives, `trustcheck data fetch` and the pinned release, a suite's
configuration checked against its items, and the selection of the items a suite tests.
"""
