"""TrustLLM's safety tasks as trustcheck suites."""
