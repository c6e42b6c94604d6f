"""Scheduled collection work: which sources to poll for which campaigns, whose metrics to
refresh, and beat's tasks that enqueue them."""
