"""TrustLLM's tasks as trustcheck suites, one folder per dimension (installed as trustcheck.suites)."""
