"""TrustLLM's truthfulness tasks as trustcheck suites."""
