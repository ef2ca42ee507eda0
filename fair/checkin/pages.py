"""Pages of the checkin area (registration, card page, gate): being written."""
