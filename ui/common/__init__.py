"""Pieces every window shares: error dialogs, background work, table and form helpers."""
