"""Test doubles: the in-memory world for the conversation core and the fake Graph API."""
