"""Delivery channels: each `send(message, recipient, settings)` either sends or raises."""
