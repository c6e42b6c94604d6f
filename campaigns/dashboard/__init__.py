"""The live dashboard: its page, its JSON endpoints and the reads behind them (rollups for
counts, snapshots for the numbers rollups cannot give)."""
