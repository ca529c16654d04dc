"""The student records in the application: who is training, their sessions stored as they end,
and their progress over sessions and weeks (``trainer.records`` does the keeping)."""
