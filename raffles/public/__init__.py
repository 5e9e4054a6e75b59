"""The public side of a raffle: its page, the live board, QR codes, e-tickets. No login, and
no buyer data beyond the first name on a buyer's own e-ticket."""
