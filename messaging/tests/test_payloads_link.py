"""The call-to-action URL button: the body we send, and what the fake Graph API refuses."""

from __future__ import annotations

import pytest

from messaging.channel import payloads
from messaging.exceptions import InvalidOutboundMessage
from messaging.testing.graph_rules import payload_problem


def test_cta_url_has_metas_shape():
    body = payloads.cta_url("5215511112222", "Pay 10.00", "Pay now", "https://mp.example/x")
    assert body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "5215511112222",
        "type": "interactive",
        "interactive": {
            "type": "cta_url",
            "body": {"text": "Pay 10.00"},
            "action": {
                "name": "cta_url",
                "parameters": {"display_text": "Pay now", "url": "https://mp.example/x"},
            },
        },
    }
    assert payload_problem(body) == ""


def test_cta_url_title_is_cut_to_twenty_characters():
    body = payloads.cta_url(
        "5215511112222", "Pay", "Pay now with a very long label", "https://x.example"
    )
    assert len(body["interactive"]["action"]["parameters"]["display_text"]) == 20


@pytest.mark.parametrize(("text", "url"), [("", "https://x.example"), ("Pay", "ftp://x")])
def test_cta_url_refuses_what_meta_would(text, url):
    with pytest.raises(InvalidOutboundMessage):
        payloads.cta_url("5215511112222", "Pay", text, url)


def test_the_fake_graph_refuses_a_broken_cta_url():
    body = payloads.cta_url("5215511112222", "Pay", "Pay now", "https://x.example")
    body["interactive"]["action"]["parameters"]["display_text"] = "x" * 21
    assert "display_text" in payload_problem(body)
    body["interactive"]["action"]["parameters"] = {"display_text": "Pay", "url": "javascript:1"}
    assert "url" in payload_problem(body)
    body["interactive"]["action"]["name"] = "other"
    assert "cta_url" in payload_problem(body)
