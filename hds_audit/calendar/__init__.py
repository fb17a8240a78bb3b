"""Time as the audit counts it: periods (Europe/Paris quarters, months, dates), instants read from
evidence, and the French working calendar the provider's commitments are counted in."""
