"""Fictional support messages of mixed length, written for the benchmarks (no external data)."""

from __future__ import annotations

MESSAGES: list[str] = [
    "Still waiting on my refund, 3 weeks now",
    "My package never arrived and nobody answers the phone",
    "Great, my order is late AGAIN. Thanks a lot.",
    "thanks!!",
    "Where is my parcel? Tracking hasn't moved since Monday.",
    "Hi, how do I change the email address on my account?",
    "I was charged twice for order #55123, $49.99 each time. Please fix this.",
    "Love the new app update, the dark mode is gorgeous 😍",
    "I want to cancel my subscription. This is the third time the service has gone down this week.",
    "Your driver left my parcel in the rain and now the blender box is soaked through.",
    "If this isn't sorted by Friday I'm contacting my lawyer and the ombudsman.",
    "Someone used my card on your site, I didn't make these purchases!! Help",
    "Can you add an option to pause deliveries while I'm on holiday?",
    "The checkout page keeps throwing an error when I try to pay with PayPal",
    "Been on hold for 2 hours. Two. Hours.",
    "Just wanted to say Priya at the Leeds store was brilliant today, thank you!",
    "Oh wonderful, another delay 🙄",
    "Kindly improve your performance",
    "My order was supposed to arrive Monday. It's Thursday.",
    "Hello, I ordered the grey sofa three weeks ago and was told it would take 10 days. "
    "I have emailed twice and called once and nobody has got back to me. I took a day off "
    "work for the delivery slot you gave me and nobody turned up. I'd like to know where it "
    "is and when it will actually be delivered, and I'd like some compensation for the day "
    "I lost. Order 7781-2231.",
    "why is the app logging me out every 5 minutes",
    "Is the store on High Street open on Sunday?",
    "I never liked how they treat me",
    "Worst customer service ever. Never ordering again.",
    "The refund of £120 still hasn't shown up on my statement after 14 days, is that normal?",
    "Thank you so much, that fixed it 🙏",
    "wifi down again in the whole building since 8am, we work from home!!!",
    "I'm really worried, my prescription delivery hasn't arrived and I need it tonight.",
    "Could you send me an invoice for my last order please?",
    "Not happy. The jacket ripped the first time I wore it.",
]
"""30 messages: complaints, questions, thanks, praise, requests, threats; 2 to 90 words."""

REPLY = (
    "Hi there, that's not the experience we want for you. Could you send us a DM with a few "
    "details so we can look into it properly?"
)
"""A reply used where a benchmark needs (message, reply) pairs."""
