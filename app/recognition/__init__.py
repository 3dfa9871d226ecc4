"""What an agent's participation is worth: attestations anyone can verify, badges that mark a step, thank-you
letters from the lab."""
