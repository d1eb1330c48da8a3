"""The grading engine: release, collect, autograde, feedback and gradebook access, on nbgrader.

The rest of the platform (hub wiring, dashboards, services, CLI) lives in `airclass`.
"""
