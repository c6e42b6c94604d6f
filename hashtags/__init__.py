"""The data plane: hashtags, sources, posts and their rollups. Knows nothing of campaigns."""
