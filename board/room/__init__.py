"""The meeting as it runs: the facilitator's meeting page, the room screen, the door, closing.

It sits above meetings (the model, scheduling, the calendar), feedback, voting and
participate, because a running meeting shows their counts and closing it closes its vote.
"""
