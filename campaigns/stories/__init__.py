"""#IHeartHIT stories from the public: the form, the approved stories, the organizers' export
(review happens in the curator queue)."""
