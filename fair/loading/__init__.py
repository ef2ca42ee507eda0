"""Getting data in: checking import files, writing them, the demo fair."""
