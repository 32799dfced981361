"""Audio for every word a child needs: speech synthesised offline (synth), the texts that may
be spoken and their addresses (texts), and the prompts staff record (models, services)."""
