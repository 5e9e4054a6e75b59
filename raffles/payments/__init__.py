"""The rules of each payment method, one module per method or provider."""
