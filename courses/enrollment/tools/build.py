"""Regenerate every notebook and data file of the `enrollment` course.

Run from anywhere: `/opt/airclass/env/bin/python courses/enrollment/tools/build.py`.
Notebooks are written without outputs (nbformat), ready to commit.
"""

import assignments
import data
import lessons

if __name__ == "__main__":
    data.build()
    lessons.build()
    assignments.build()
    print("enrollment course rebuilt")
