"""Test helpers that are neither tests nor fixtures: fake platform clients and recorded API
replays, data builders (ingest_data, polling_data), database checks, a worker app."""
