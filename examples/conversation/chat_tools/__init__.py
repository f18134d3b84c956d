"""The chat's executable tools: Python the conversation handler runs when the model asks for them.

``ConversationRouteArgs.executable_tools_code_path`` ships this folder beside the handler in its Lambda
archive; the handler imports it on a cold start and offers every tool in ``TOOLS`` to the model.
"""

try:  # in Lambda, the handler package sits beside this one
    from conversation_handler.executable_tools import ExecutableTool, ToolContext, ToolError
except ImportError:  # in local tests, the same classes come from the installed library
    from genai_backend_components.conversation import ExecutableTool, ToolContext, ToolError

EUR_RATES = {"USD": 1.08, "GBP": 0.85, "JPY": 162.0}
"""Fixed rates keep the example self-contained; a real tool would read them from a service."""


def convert_currency(tool_input: dict, context: ToolContext) -> dict:
    """Euros into another currency; an unknown currency is a message for the model, not a crash."""
    currency = str(tool_input.get("currency", "")).upper()
    if currency not in EUR_RATES:
        raise ToolError(f"unknown currency {currency!r}; known: {', '.join(sorted(EUR_RATES))}")
    amount = float(tool_input["amount"])
    return {
        "amount": round(amount * EUR_RATES[currency], 2),
        "currency": currency,
        "from": {"amount": amount, "currency": "EUR"},
    }


TOOLS = [
    ExecutableTool(
        name="convertCurrency",
        description="Converts an amount of euros into USD, GBP or JPY at a fixed rate.",
        input_schema={
            "type": "object",
            "properties": {
                "amount": {"type": "number", "description": "Euros to convert."},
                "currency": {"type": "string", "enum": sorted(EUR_RATES)},
            },
            "required": ["amount", "currency"],
        },
        run=convert_currency,
    )
]
