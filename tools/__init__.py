"""Command-line tools: credential-free ``synth`` and ``diff`` of a stack, and the client-config writer."""
