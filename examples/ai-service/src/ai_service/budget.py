"""Token budgets and embedding similarity: the numeric helpers the routes use."""

from collections.abc import Sequence

import numpy as np
import tiktoken

from ai_service.models import Message


def count_tokens(messages: Sequence[Message], encoding_name: str = "cl100k_base") -> int:
    """Tokens in `messages` as OpenAI's models count them (4 per message of framing)."""
    encoding = tiktoken.get_encoding(encoding_name)
    return sum(len(encoding.encode(m.content)) + 4 for m in messages)


def within_budget(prompt_tokens: int, max_tokens: int, context_window: int) -> bool:
    return prompt_tokens + max_tokens <= context_window


def cosine_similarity(left: Sequence[float], right: Sequence[float]) -> float:
    """Similarity of two embeddings; 0.0 when either is all zeros."""
    a = np.asarray(left, dtype=np.float64)
    b = np.asarray(right, dtype=np.float64)
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    if norms == 0.0:
        return 0.0
    return float(np.dot(a, b) / norms)
