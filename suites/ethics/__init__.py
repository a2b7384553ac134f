"""TrustLLM's ethics tasks as trustcheck suites."""
