"""airclass — 空中课堂, the platform around the grading engine.

Sub-packages by where their code runs (lower layers never import higher ones; see the
import-linter contract in pyproject.toml):

    admin/       the `airclass` CLI, demo orchestration            (root, admin shell)
    services/    hub services: completion API, dashboard server     (service accounts)
    dashboards/  what the Voila dashboards compute and render       (dashboard kernels)
    hub/         trait mapping, spawner, hub REST client, templates (the hub process)
    progress/    the tidy progress table, its cache and figures     (dashboards, CLI)
    system/      unix accounts, data-dir layout, runtime env, launcher (root)
    core/        settings, names, cities, catalog, roster parsing, platform DB (anywhere)
    lessons/     the only thing a cadre's kernel imports
"""

__version__ = "0.1.0"
