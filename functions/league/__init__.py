"""League writes for AppSync: validated upserts with optimistic locking (reads go straight to DynamoDB)."""
