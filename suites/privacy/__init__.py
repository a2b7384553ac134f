"""TrustLLM's privacy tasks as trustcheck suites."""
