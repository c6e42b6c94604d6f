"""Tracked accounts: lists of policymakers, staff and partners, reused across campaigns.

Design sketch. An AccountList (campaigns.models.accounts) holds Members, each with their
MemberHandles, stored as each platform compares handles (hashtags.handles, the one rule). A
person on several lists is a member of each; the congress import keys members by bioguide id,
so a senator's committees are the committee lists (a committee id, a subcommittee's parent)
holding the same key. services.py is the one write: account_list_upsert, and members_store,
which makes a list's members what a batch says, all or nothing (imports: the refused left out
and said). imports.py reads a CSV of handles and, through congress.py, the congress-legislators
files (a copy ships in data/); each import is one transaction, its bad rows named by line.
selectors.py reads the pages' lists and members; forms.py and views.py are the organizers'
pages (the team sees them; the public later sees a list only through a public campaign's
scorecard). Scorecards, mentions and follower samples are built on this elsewhere.
"""
