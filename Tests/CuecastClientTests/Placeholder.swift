// Placeholder while the client tests are written.
