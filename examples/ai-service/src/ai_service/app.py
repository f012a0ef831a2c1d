"""The HTTP API."""

from collections.abc import Mapping

import uvicorn
from fastapi import FastAPI, HTTPException

from ai_service.models import ChatRequest, ChatResponse
from ai_service.providers import AnthropicCompleter, Completer, OpenAICompleter


def create_app(completers: Mapping[str, Completer] | None = None) -> FastAPI:
    chosen: dict[str, Completer] = dict(
        completers or {"openai": OpenAICompleter(), "anthropic": AnthropicCompleter()}
    )
    app = FastAPI(title="ai-service")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/chat")
    def chat(request: ChatRequest) -> ChatResponse:
        completer = chosen.get(request.provider)
        if completer is None:
            raise HTTPException(status_code=400, detail=f"unknown provider {request.provider}")
        content = completer.complete(request.model, request.messages, request.max_tokens)
        prompt = sum(len(m.content.split()) for m in request.messages)
        return ChatResponse(
            provider=request.provider, model=request.model, content=content, prompt_tokens=prompt
        )

    return app


def main() -> None:
    uvicorn.run(create_app(), host="127.0.0.1", port=8000)
