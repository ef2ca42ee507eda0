"""The organiser's duties: devices, dashboard, exports, privacy, backups, their pages."""
