"""TrustLLM's fairness tasks as trustcheck suites."""
