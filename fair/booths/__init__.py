"""Employers, booths, jobs, and the leads recruiters capture at booths."""
