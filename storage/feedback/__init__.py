"""Members' feedback to the community's moderators."""
