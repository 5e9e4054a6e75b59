"""The rules of each payment method, one module per method or provider: Pix BR Codes
(`pix`), bank statements read from CSV and OFX files (`statements`) and matched to orders
(`matching`), payment links behind a provider interface (`provider`, `mercadopago`). Pure
functions, small readers and provider clients; writes go through `raffles.services`."""
