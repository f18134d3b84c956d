"""This repository's backend, composed from the ``genai_backend_components`` library.

``settings`` turns a stack's config into checked component args (the only module that reads Pulumi config);
``backend`` declares the components; ``league`` is the League API's own data and function. Nothing here is
reusable: a reusable piece belongs in ``components/``.
"""
