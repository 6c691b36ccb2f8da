"""Thin Lambda entry points, one per function in template.yaml."""
