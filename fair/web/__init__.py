"""Web plumbing: authentication, errors, validation, limits, live events, the socket, site pages."""
