"""Lambda handler of the conversation route (package ``conversation``; entry ``conversation.handler.handler``)."""
