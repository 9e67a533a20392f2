"""Hand-written example messages shared by several test modules (never dataset text)."""

from __future__ import annotations

# A thanks or praise word followed by a failure: sarcasm, so negative and a complaint.
SARCASTIC_THANKS = (
    "Thank you so much for making a bag that rips apart when carried by the straps",
    "thanks @KettleCo for your lovely kettle catching fire and nearly burning my flat down",
    "Thanks for not sending any of my parcels",
    "Missed my shows for weeks thanks to @TvCo never setting up my box",
    "Thanks for keeping me waiting on the phone all afternoon",
)
