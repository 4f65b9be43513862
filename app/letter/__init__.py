"""The response letter: Jurisdesk's draft, the office's edits, and the letter as it prints."""
