"""Comparing projects, agreement, adjudication and merge; no Qt."""
