"""Running the laptop: the command line, provisioning, serving, TLS."""
