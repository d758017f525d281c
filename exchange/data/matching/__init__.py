"""Surname form endings for the loose matching key."""
