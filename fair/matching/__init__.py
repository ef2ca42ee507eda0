"""Matching people in the hall to jobs on the floor, and the live organiser dashboard."""
