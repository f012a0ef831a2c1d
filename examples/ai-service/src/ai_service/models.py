"""The API's request and response bodies."""

from typing import Literal

from pydantic import BaseModel, Field


class Message(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str = Field(min_length=1)


class ChatRequest(BaseModel):
    provider: Literal["openai", "anthropic"] = "openai"
    model: str = "gpt-4o-mini"
    messages: list[Message] = Field(min_length=1)
    max_tokens: int = Field(default=512, gt=0, le=8192)


class ChatResponse(BaseModel):
    provider: str
    model: str
    content: str
    prompt_tokens: int
