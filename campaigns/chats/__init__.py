"""Chats: a host's numbered questions on a hashtag for an hour, read back question by question.

Design sketch. A Chat (campaigns.models.chat) belongs to a campaign and names its hashtag,
start, end and tail; its hosts and planned questions are rows of their own. Its posts are those
whose tag set holds the chat hashtag in [start, end + tail) (hashtags.tagsets, never the key).
markers.py holds the text rules (question and answer markers after leading @mentions).
selectors.py reads a chat into a Transcript: questions from the plan and the hosts' posts, every
original post assigned (answer marker, then the reply chain, then the active question by time;
intro before the first question, wrap-up in the tail), reposts kept apart; numbers.py counts it
(the JSON of export_chat) and exports.py writes the CSV transcript and the Markdown recap.
services.py is the one write (chat_upsert). Pages, the live view and the analytics come later.
"""
