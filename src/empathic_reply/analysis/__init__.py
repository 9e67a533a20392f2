"""Message analysis: sentiment, emotions, intents, topics and details (owner: ANALYSIS-CORE)."""
