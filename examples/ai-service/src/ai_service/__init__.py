"""An LLM-backed web service: FastAPI in front of OpenAI and Anthropic models."""

__version__ = "0.1.0"
