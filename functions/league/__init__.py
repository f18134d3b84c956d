"""League data source for AppSync: validated upserts with optimistic locking, reads, season listing."""
