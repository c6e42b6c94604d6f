"""Test helpers that are neither tests nor fixtures: fake platform clients, a worker app."""
