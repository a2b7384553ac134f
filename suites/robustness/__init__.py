"""TrustLLM's robustness tasks as trustcheck suites."""
