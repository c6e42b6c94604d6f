"""The demo `seed_demo` creates, so every page has data at first load (an entry point that
seeds the features through their services)."""
