"""Events over RabbitMQ: envelope, contracts, topology, transactional outbox, relay and consumers."""
