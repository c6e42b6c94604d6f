"""Settings package: `local` (embedded default), `production` and `test` share `base`."""
