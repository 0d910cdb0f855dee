-- Webhook deliveries are events in Spring Modulith's publication registry now (V10); the home-made outbox goes.
-- Deliveries still pending in it when a node is upgraded are not carried over.
DROP TABLE webhook_delivery;
