"""One module per demo service; each exposes ``create(ctx) -> FastAPI``."""
