"""What a cadre uses without knowing Jupyter: 我的入口 data for the hub home page, and the
jupyter-server extension (我的作业, lessons as pages) that runs in the cadre's own server."""


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "airclass.learner.extension"}]
