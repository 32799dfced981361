"""Texts children read that lack a wording in one of their board's languages: the page that
lists them per board and language for facilitators, the warning before a meeting opens, the
share the benchmark prints. The rule that picks what a child reads is ``board.wording``."""
