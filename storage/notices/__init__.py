"""Notices queued for members and moderators."""
