"""The people plane: campaigns, their dashboards, curation, wall, stories and roles."""
