"""Jurisdesk tests; mirrors app/ and ui/."""
