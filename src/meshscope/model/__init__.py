"""Pure values shared by every layer: durations, sizes, signals. No I/O here."""
