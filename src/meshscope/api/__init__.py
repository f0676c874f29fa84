"""HTTP and gRPC doors: thin handlers that parse the request, call one function, shape the reply."""
