"""History import from DiscordChatExporter JSON exports."""

from bot.services.importer.reader import ExportFormatError
from bot.services.importer.service import DceImporter, FileResult, Progress

__all__ = ["DceImporter", "ExportFormatError", "FileResult", "Progress"]
