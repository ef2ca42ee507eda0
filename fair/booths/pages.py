"""Pages of the booths area (booth page, lead list, pairing sheets): being written."""
