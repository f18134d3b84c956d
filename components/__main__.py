"""Entry point Pulumi runs when another language uses this package (``pulumi package add``)."""

from genai_backend_components.provider import serve

if __name__ == "__main__":
    serve()
