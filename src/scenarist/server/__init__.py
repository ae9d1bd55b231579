"""The HTTP side: REST API, webhook gateway, web UI; workers and scheduler in-process."""
