"""Alerts: the model's enums and labels, validation, and version rules."""
