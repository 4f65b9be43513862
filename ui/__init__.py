"""Jurisdesk's desktop GUI (PySide6). It talks to app.services only, never to the database."""
