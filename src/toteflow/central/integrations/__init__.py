"""The server's links to the outside: webhooks, wave templates, the routing worker pool."""
