"""The exchange format: one jurisdiction and everything that belongs to it, as one JSON file."""

from app.services.exchange.document import document_counts, export_document, export_jurisdiction
from app.services.exchange.format import (
    COUNT_KEYS,
    DATE_PATTERN,
    DATETIME_PATTERN,
    FORMAT,
    FORMAT_VERSION,
    MAX_FILE_BYTES,
    SCHEMA_FILENAME,
    SECTIONS,
    SHA256_PATTERN,
    STATE_PATTERN,
    UUID_PATTERN,
    JsonPath,
    member_name,
)
from app.services.exchange.merge import import_document, import_file
from app.services.exchange.problems import json_path
from app.services.exchange.reading import read_file
from app.services.exchange.results import ExchangeError, ExportResult, ImportResult
from app.services.exchange.schema import build_schema, schema_path

__all__ = [
    "COUNT_KEYS",
    "DATETIME_PATTERN",
    "DATE_PATTERN",
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_FILE_BYTES",
    "SCHEMA_FILENAME",
    "SECTIONS",
    "SHA256_PATTERN",
    "STATE_PATTERN",
    "UUID_PATTERN",
    "ExchangeError",
    "ExportResult",
    "ImportResult",
    "JsonPath",
    "build_schema",
    "document_counts",
    "export_document",
    "export_jurisdiction",
    "import_document",
    "import_file",
    "json_path",
    "member_name",
    "read_file",
    "schema_path",
]
