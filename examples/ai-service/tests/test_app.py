"""The API with a fake model provider (no network, no keys)."""

from collections.abc import Sequence

from fastapi.testclient import TestClient

from ai_service.app import create_app
from ai_service.budget import cosine_similarity, within_budget
from ai_service.models import Message


class EchoCompleter:
    def complete(self, model: str, messages: Sequence[Message], max_tokens: int) -> str:
        return f"{model}: {messages[-1].content}"


def test_health_and_chat() -> None:
    client = TestClient(create_app({"openai": EchoCompleter()}))
    assert client.get("/health").json() == {"status": "ok"}
    answer = client.post(
        "/v1/chat", json={"messages": [{"role": "user", "content": "hello there"}]}
    )
    assert answer.status_code == 200
    assert answer.json()["content"] == "gpt-4o-mini: hello there"
    assert answer.json()["prompt_tokens"] == 2


def test_unknown_provider_and_validation() -> None:
    client = TestClient(create_app({"openai": EchoCompleter()}))
    body = {"provider": "anthropic", "messages": [{"role": "user", "content": "hi"}]}
    assert client.post("/v1/chat", json=body).status_code == 400
    assert client.post("/v1/chat", json={"messages": []}).status_code == 422


def test_budget_helpers() -> None:
    assert within_budget(100, 412, 512)
    assert not within_budget(101, 412, 512)
    assert cosine_similarity([1.0, 0.0], [1.0, 0.0]) == 1.0
    assert cosine_similarity([0.0, 0.0], [1.0, 0.0]) == 0.0


def test_provider_messages() -> None:
    from ai_service.providers import anthropic_message, openai_message

    system = Message(role="system", content="be brief")
    assert openai_message(system) == {"role": "system", "content": "be brief"}
    assert anthropic_message(Message(role="assistant", content="ok"))["role"] == "assistant"
