"""The public pydantic models and enums (re-exported from ``dhenara_http``)."""
