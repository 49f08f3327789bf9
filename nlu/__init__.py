"""Natural-language understanding: text to Parse(intent, urgency, category, lang, confidence, entities)."""
