"""The campaign list and each campaign's page: where every visitor starts."""
