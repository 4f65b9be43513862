"""Jurisdesk core: records, questionnaires, storage and reports, without any GUI."""

__version__ = "1.0.0"
