"""The guided questionnaire editor for one response."""

from ui.questionnaire.editor import ResponseEditor

__all__ = ["ResponseEditor"]
