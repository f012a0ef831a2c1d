"""Model providers behind one interface, so routes and tests do not care which is used."""

from collections.abc import Sequence
from typing import Protocol

import anthropic
import openai
from anthropic.types import MessageParam, TextBlock
from openai.types.chat import ChatCompletionMessageParam

from ai_service.models import Message


class Completer(Protocol):
    def complete(self, model: str, messages: Sequence[Message], max_tokens: int) -> str: ...


def openai_message(message: Message) -> ChatCompletionMessageParam:
    if message.role == "system":
        return {"role": "system", "content": message.content}
    if message.role == "assistant":
        return {"role": "assistant", "content": message.content}
    return {"role": "user", "content": message.content}


def anthropic_message(message: Message) -> MessageParam:
    if message.role == "assistant":
        return {"role": "assistant", "content": message.content}
    return {"role": "user", "content": message.content}


class OpenAICompleter:
    def __init__(self, client: openai.OpenAI | None = None) -> None:
        self._client = client

    def complete(self, model: str, messages: Sequence[Message], max_tokens: int) -> str:
        client = self._client or openai.OpenAI()
        response = client.chat.completions.create(
            model=model, messages=[openai_message(m) for m in messages], max_tokens=max_tokens
        )
        return response.choices[0].message.content or ""


class AnthropicCompleter:
    def __init__(self, client: anthropic.Anthropic | None = None) -> None:
        self._client = client

    def complete(self, model: str, messages: Sequence[Message], max_tokens: int) -> str:
        client = self._client or anthropic.Anthropic()
        system = "\n".join(m.content for m in messages if m.role == "system")
        turns = [anthropic_message(m) for m in messages if m.role != "system"]
        if system:
            response = client.messages.create(
                model=model, system=system, messages=turns, max_tokens=max_tokens
            )
        else:
            response = client.messages.create(model=model, messages=turns, max_tokens=max_tokens)
        return "".join(block.text for block in response.content if isinstance(block, TextBlock))
