// Placeholder while `cuecast listen` is written: replaced by the EventSource client.
