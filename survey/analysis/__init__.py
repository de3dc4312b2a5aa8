"""Index computations: pure functions over small aggregates; ``load`` runs the SQL."""
