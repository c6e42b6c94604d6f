"""The JSON endpoints' names, as /c/<slug>/api/<name>: the dashboard's seven and the wall."""

DASHBOARD_ENDPOINTS = (
    "volume",
    "coverage",
    "summary",
    "top-posts",
    "contributors",
    "heatmap",
    "yoy",
)
JSON_ENDPOINTS = (*DASHBOARD_ENDPOINTS, "wall")
