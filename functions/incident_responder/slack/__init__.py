"""Slack: the Web API client with retries, report rendering, and the ingress (verification, routing)."""
