"""The only modules that import httpx and tenacity."""
