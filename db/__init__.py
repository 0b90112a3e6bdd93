"""Persistence plumbing shared by engine/ and crm/: declarative base, engine factory, unit of work."""
