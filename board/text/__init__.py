"""Pure text functions: no database, no request. What marks personal details in a child's
words (detect) is used by feedback when the text arrives and by moderation when it is read."""
