"""Payment methods and their rules: Pix BR Codes (`pix`), bank statements read from CSV and
OFX files (`statements`) and matched to orders (`matching`). Pure functions and small
readers; writes go through `raffles.services`."""
