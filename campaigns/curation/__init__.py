"""What curators do: the queue of posts and stories (the one review screen), its actions,
moderation rules and the audit log."""
